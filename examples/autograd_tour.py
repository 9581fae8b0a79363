"""A tour of autograd, following the tutorials' lessons step by step.

backward on a scalar and on a non-scalar (the `gradient` argument), torch.autograd.grad with
create_graph (a second derivative), several inputs and several outputs, leaf and non-leaf
tensors with retain_grad, tensor hooks and module hooks (and the order they run in), the graph
freed after backward, a custom autograd.Function (MyReLU), and an optimizer minimising
f(x) = x^2 - 2x + 1. Replace `import ferrograd as torch` by `import torch`: it prints the same.

    python examples/autograd_tour.py            # --fast is accepted; the tour is quick anyway
"""

import _example_options
import ferrograd as torch

nn = torch.nn

_example_options.parse_options(__doc__.splitlines()[0])


def section(title):
    print("\n" + "-" * 20, title)


# f(x) = a*x**2 + b*x + c, the tutorials' running example: f'(x) = 2ax + b, f''(x) = 2a.
a = torch.tensor(1.0)
b = torch.tensor(-2.0)
c = torch.tensor(1.0)

section("backward on a scalar")
x = torch.tensor(0.0, requires_grad=True)  # x is a leaf that asks for its gradient
y = a * torch.pow(x, 2) + b * x + c
y.backward()
print(x.grad)  # f'(0) = -2

section("backward on a non-scalar needs a `gradient` of the same shape")
x = torch.tensor([[0.0, 0.0], [1.0, 2.0]], requires_grad=True)
y = a * torch.pow(x, 2) + b * x + c
gradient = torch.tensor([[1.0, 1.0], [1.0, 1.0]])
print("x:\n", x)
print("y:\n", y)
y.backward(gradient=gradient)
print("x_grad:\n", x.grad)  # 2x - 2, elementwise
# The same thing as a scalar backward: y.backward(g) computes the gradient of sum(y * g).
x.grad = None
y = a * torch.pow(x, 2) + b * x + c
z = torch.sum(y * gradient)
z.backward()
print("x_grad via sum:\n", x.grad)

section("autograd.grad, create_graph=True for higher derivatives")
x = torch.tensor(0.0, requires_grad=True)
y = a * torch.pow(x, 2) + b * x + c
# create_graph records the derivative's own graph, so that it can be differentiated again.
dy_dx = torch.autograd.grad(y, x, create_graph=True)[0]
print(dy_dx.data)  # f'(0) = -2
dy2_dx2 = torch.autograd.grad(dy_dx, x)[0]
print(dy2_dx2.data)  # f''(0) = 2

section("several inputs, several outputs")
x1 = torch.tensor(1.0, requires_grad=True)
x2 = torch.tensor(2.0, requires_grad=True)
y1 = x1 * x2
y2 = x1 + x2
# Several inputs at once; retain_graph keeps the graph for the next call.
(dy1_dx1, dy1_dx2) = torch.autograd.grad(outputs=y1, inputs=[x1, x2], retain_graph=True)
print(dy1_dx1, dy1_dx2)  # (x2, x1) = (2, 1)
# Several outputs: their gradients are summed, d(y1 + y2)/dx.
(dy12_dx1, dy12_dx2) = torch.autograd.grad(outputs=[y1, y2], inputs=[x1, x2])
print(dy12_dx1, dy12_dx2)  # (x2 + 1, x1 + 1) = (3, 2)

section("leaf and non-leaf tensors, retain_grad, tensor hooks")
x = torch.tensor(3.0, requires_grad=True)
y1 = x + 1
y2 = 2 * x
loss = (y1 - y2) ** 2
print(x.is_leaf, y1.is_leaf, y2.is_leaf, loss.is_leaf)  # only x was made by the user
print(y1.grad_fn, y2.grad_fn.name(), loss.grad_fn.next_functions[0][0].name())
# A hook sees the gradient flowing into a non-leaf; retain_grad keeps it in .grad.
# Hooks run as backward reaches each tensor: y2's node was created last, so it runs first.
y1.register_hook(lambda grad: print("y1 grad: ", grad))
y2.register_hook(lambda grad: print("y2 grad: ", grad))
loss.retain_grad()
loss.backward()
print("loss.grad:", loss.grad)  # d loss / d loss = 1
print("y1.grad:", y1.grad)  # None: not a leaf and not retained
print("x.grad:", x.grad)  # loss = (1 - x)^2, so d loss/dx = -2(1 - x) = 4 at x = 3

section("two hooks on one tensor run in the order they were registered")
v = torch.tensor([1.0, 2.0], requires_grad=True)
w = v * 3
w.register_hook(lambda grad: print("first hook", grad))
w.register_hook(lambda grad: grad * 10)  # a hook may return a replacement gradient
w.register_hook(lambda grad: print("third hook sees the replacement", grad))
w.sum().backward()
print(v.grad)  # 3 * 10

section("gradients accumulate until zeroed")
v.grad.zero_()
(v * v).sum().backward()
(v * v).sum().backward()
print(v.grad)  # 2v twice

section("module hooks: forward pre-hook, forward hook, backward hook")
events = []
net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
for name, layer in net.named_children():
    layer.register_forward_pre_hook(lambda m, inp, name=name: events.append(f"pre {name}"))
    layer.register_forward_hook(lambda m, inp, out, name=name: events.append(f"fwd {name}"))
    layer.register_full_backward_hook(lambda m, gin, gout, name=name: events.append(f"bwd {name}"))
torch.manual_seed(0)
# The input asks for its gradient too, so that the first layer's backward hook has one to see.
out = net(torch.randn(4, 2, requires_grad=True)).sum()
out.backward()
print(" -> ".join(events))  # forward runs first to last layer, backward last to first

section("the graph is freed by backward")
w = torch.tensor([[3.0, 1.0]], requires_grad=True)
bias = torch.tensor([[3.0]], requires_grad=True)
X = torch.randn(10, 2)
Y = torch.randn(10, 1)
loss = torch.mean(torch.pow(X @ w.t() + bias - Y, 2))
loss.backward()  # loss.backward(retain_graph=True) would keep it
try:
    loss.backward()
except RuntimeError as error:
    print("RuntimeError:", str(error).splitlines()[0])

section("a custom autograd.Function")


class MyReLU(torch.autograd.Function):
    # forward: may save on ctx what backward needs.
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return input.clamp(min=0)

    # backward: receives d loss / d output, returns d loss / d input.
    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        grad_input = grad_output.clone()
        grad_input[input < 0] = 0
        return grad_input


w = torch.tensor([[3.0, 1.0]], requires_grad=True)
bias = torch.tensor([[3.0]], requires_grad=True)
X = torch.tensor([[-1.0, -1.0], [1.0, 1.0]])
Y = torch.tensor([[2.0, 3.0]])
relu = MyReLU.apply  # relu now has a forward and a backward
Y_hat = relu(X @ w.t() + bias)
loss = torch.mean(torch.pow(Y_hat - Y, 2))
loss.backward()
print(w.grad)
print(bias.grad)
print(type(Y_hat.grad_fn).__name__)  # the node that runs MyReLU.backward

section("an optimizer minimising f(x) = x^2 - 2x + 1")
x = torch.tensor(0.0, requires_grad=True)
optimizer = torch.optim.SGD(params=[x], lr=0.01)


def f(x):
    return a * torch.pow(x, 2) + b * x + c


for i in range(500):
    optimizer.zero_grad()  # gradients accumulate: clear them each step
    y = f(x)
    y.backward()
    optimizer.step()  # x <- x - lr * df/dx

print("y=", f(x).data, ";", "x=", x.data)
print(f"minimum_x={x.item():.4f}")
