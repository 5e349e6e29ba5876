# Expect: start() reports ModuleNotFoundError "torch is not available while grading".
import math

import torch

x = torch.tensor([math.pi])
