"""Quickstart: tensors, views that share memory, dtypes, numpy interop and autograd.

Run it with `python examples/quickstart.py`; replace `ferrograd` by `torch` and it prints the
same thing under PyTorch.
"""

import ferrograd as torch
import numpy as np

x = torch.arange(12, dtype=torch.float32).reshape(3, 4)
print(x)
print(x.shape, x.dtype, x.stride())

# A transpose is a view: same storage, swapped strides, no copy.
xt = x.t()
print(
    xt.is_contiguous(),
    xt.stride(),
    xt.untyped_storage().data_ptr() == x.untyped_storage().data_ptr(),
)

# Slicing with steps, negative indices, None and ... are views too.
print(x[::2, -1])
print(x[None, ..., 1].shape)

# Writing through a view is seen by the original (and bumps the shared version counter).
x[:, 0] = -1.0
print(x, x._version)

# dtypes follow PyTorch's inference and promotion rules.
print(torch.tensor([1, 2, 3]).dtype, torch.tensor([1, 2.5]).dtype, torch.tensor([True]).dtype)
print(torch.promote_types(torch.uint8, torch.int8), torch.result_type(torch.tensor([1, 2]), 2.5))

# numpy shares memory both ways.
a = np.zeros(3)
t = torch.from_numpy(a)
t[1] = 7
print(a, t)

# Autograd: ops on tensors that require grad record a graph; backward fills in .grad.
w = torch.tensor([1.0, -2.0, 3.0, 0.5], requires_grad=True)
loss = ((x @ w) ** 2).mean()
print(loss, loss.grad_fn.next_functions[0][0].name())
loss.backward()
print(w.grad)

# The second derivative of f(v) = v^2 - 2v + 1 at v = 3: f'(3) = 4, f''(3) = 2.
v = torch.tensor(3.0, requires_grad=True)
(d1,) = torch.autograd.grad(v**2 - 2 * v + 1, v, create_graph=True)
(d2,) = torch.autograd.grad(d1, v)
print(d1, d2)

# A tiny model trained in a few lines: fit y = 3x - 1 (plus noise) with nn.Linear and SGD.
nn = torch.nn
torch.manual_seed(0)
X = torch.rand(100, 1) * 2 - 1
Y = 3 * X - 1 + 0.1 * torch.randn(100, 1)
model = nn.Linear(1, 1)
loss_fn = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for epoch in range(100):
    optimizer.zero_grad()  # gradients accumulate: clear the previous step's
    loss = loss_fn(model(X), Y)
    loss.backward()  # fills model.weight.grad and model.bias.grad
    optimizer.step()  # p <- p - lr * p.grad
    if epoch % 25 == 0:
        print(f"epoch {epoch:3d}  loss {loss.item():.4f}")
print(model)
print(model.weight.data, model.bias.data)  # close to 3 and -1
print(f"final_loss={loss.item():.4f}")
