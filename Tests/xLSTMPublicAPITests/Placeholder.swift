import Testing
import xLSTM
