import xLSTM
print("placeholder")
