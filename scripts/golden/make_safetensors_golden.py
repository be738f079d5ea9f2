#!/usr/bin/env python3
"""safetensors golden files, both ways, with the `safetensors` and `torch` packages.

  make_safetensors_golden.py            writes Tests/xLSTMNNTests/Fixtures/torch_dtypes.safetensors
                                        (F32, F64, F16 and BF16 tensors written by torch) and
                                        torch_dtypes_expected.json (their values as float64, exact)
  make_safetensors_golden.py --check    reads Tests/xLSTMNNTests/Fixtures/swift_written.safetensors
                                        (made by our Swift writer) with safetensors.torch.load_file
                                        and checks every value against the formulas below

The Swift tests read the first file and compare with the JSON; they also write the second
file anew and compare it byte for byte with the committed one, which this script checks.
"""
import json
import math
import pathlib
import sys

import torch
from safetensors.torch import load_file, save_file

FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "Tests" / "xLSTMNNTests" / "Fixtures"

# Values that exercise each format: signs, fractions, powers of two, extremes of F16/BF16,
# subnormals, infinities and NaN.
PATTERN = [0.0, -0.0, 1.0, -1.0, 0.5, 0.1, -123.25, 65504.0, 6.0e-8, 1.0e-5, 3.0e38,
           float("inf"), float("-inf"), float("nan")]


def torch_tensors():
    values = torch.tensor(PATTERN, dtype=torch.float64)
    return {
        "f64": values.clone(),
        "f32": values.to(torch.float32),
        "f16": values.to(torch.float16),
        "bf16": values.to(torch.bfloat16),
        "matrix_f32": torch.arange(6, dtype=torch.float32).reshape(2, 3) / 4 - 0.5,
        "cube_bf16": (torch.arange(24, dtype=torch.float32).reshape(2, 3, 4) * 1.5).to(torch.bfloat16),
        "empty_f32": torch.zeros((0, 4), dtype=torch.float32),
        "scalar_f64": torch.tensor(2.0 ** -1074, dtype=torch.float64),
    }


def encode(value):
    """A float64 as JSON-safe text that Swift's Double(String) reads exactly."""
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(value)


def write_torch_golden():
    tensors = torch_tensors()
    save_file(tensors, FIXTURES / "torch_dtypes.safetensors", metadata={"format": "pt", "made_by": "torch " + torch.__version__})
    expected = {
        name: {"shape": list(t.shape), "values": [encode(v) for v in t.to(torch.float64).flatten().tolist()]}
        for name, t in tensors.items()
    }
    (FIXTURES / "torch_dtypes_expected.json").write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n")
    print("wrote torch_dtypes.safetensors and torch_dtypes_expected.json")


def check_swift_written():
    """The file our writer makes in SafeTensorsInteropTests.swiftWrittenFile."""
    path = FIXTURES / "swift_written.safetensors"
    loaded = load_file(str(path))
    expected = {
        "weight": torch.tensor([i * 0.25 - 1 for i in range(12)], dtype=torch.float32).reshape(3, 4),
        "bias": torch.tensor([1 / 3, -2 / 3, 1e-300, 12345.678], dtype=torch.float64),
        "scalar": torch.tensor(2.5, dtype=torch.float32),
        "empty": torch.zeros((2, 0), dtype=torch.float64),
    }
    assert sorted(loaded) == sorted(expected), f"tensor names {sorted(loaded)}"
    for name, want in expected.items():
        got = loaded[name]
        assert got.dtype == want.dtype, f"{name}: dtype {got.dtype}, expected {want.dtype}"
        assert got.shape == want.shape, f"{name}: shape {tuple(got.shape)}, expected {tuple(want.shape)}"
        assert torch.equal(got, want), f"{name}: values differ"
    with open(path, "rb") as file:
        header_length = int.from_bytes(file.read(8), "little")
        header = json.loads(file.read(header_length))
    assert header.get("__metadata__") == {"writer": "xLSTM"}, f"metadata {header.get('__metadata__')}"
    print(f"safetensors.torch.load_file read {path.name}: {len(loaded)} tensors, dtypes, shapes and values as written")


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        check_swift_written()
    elif not sys.argv[1:]:
        write_torch_golden()
    else:
        sys.exit(__doc__)
