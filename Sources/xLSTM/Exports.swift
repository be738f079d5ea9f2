// `import xLSTM` is all a user writes: the tensor core and the training
// toolkit come with it. Their public declarations are part of this
// module's API.
@_exported import xLSTMNN
@_exported import xLSTMTensor
