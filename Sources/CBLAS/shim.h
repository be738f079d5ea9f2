// Thin shim: Debian's libopenblas-dev installs cblas.h (with OpenBLAS's
// thread-control functions) on the default include path.
#include <cblas.h>
