#!/usr/bin/env python3
"""Golden file for our classic LSTM baseline, made by torch.nn.LSTM (float64).

Writes Tests/xLSTMTests/Fixtures/torch_lstm.safetensors: nn.LSTM's parameters
under its own names (weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, ...),
an input (T=6, B=3, D=4), and nn.LSTM's output (T, B, H=5), h_n and c_n
(2 layers, each (2, B, H)) from the zero state. Deterministic (seed 1234).

Run: scripts/.venv/bin/python scripts/golden/make_lstm_golden.py
"""
import pathlib

import torch
from safetensors.torch import save_file

OUT = pathlib.Path(__file__).resolve().parents[2] / "Tests" / "xLSTMTests" / "Fixtures" / "torch_lstm.safetensors"

torch.manual_seed(1234)
lstm = torch.nn.LSTM(input_size=4, hidden_size=5, num_layers=2).double()
with torch.no_grad():
    for parameter in lstm.parameters():
        parameter.normal_(0, 0.5)
x = torch.randn(6, 3, 4, dtype=torch.float64)
with torch.no_grad():
    output, (h, c) = lstm(x)
tensors = {name: p.detach().clone() for name, p in lstm.named_parameters()}
tensors.update(input=x, output=output, h_n=h, c_n=c)
save_file(tensors, OUT, metadata={"made_by": "torch " + torch.__version__ + " nn.LSTM(4, 5, num_layers=2), float64"})
print("wrote", OUT.name, sorted(tensors))
