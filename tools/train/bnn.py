"""Binary neural network layers and models whose eval-mode forward pass is exactly the
arithmetic of docs/model-format.md (what the spincim simulator computes).

One binary layer (conv or linear):
    W*  = sign(channel-wise normalized proxy weights)        (+1 at 0), STE backward
    s   = W* . a            (a = +-1, or (2*pixel - 255)/255 for a bitserial8 first layer)
    z   = (s + bias) * alpha_hat                              alpha_hat = alpha, or 1 when dropped
    y   = BatchNorm(z)      (affine, running statistics at eval)
    out = sign(y) (+1 when y >= 0) for hidden layers, then pooling; y (logits) for the last

Unitary scale dropout (MC-Scale-Dropout): while the layer is stochastic (training, or
MC inference), every sample draws one Bernoulli(dropout_p) bit per layer and a 1 replaces
the layer's whole scale vector by 1 for that sample.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

BN_EPS = 1e-5

# Default widths and layer-dependent scale-dropout probabilities (paper section III-D:
# 0.1-0.2 on layers with few parameters, up to 0.5 on the largest ones).
TOPOLOGIES = {
    "lenet5": {"widths": (6, 16, 120, 84), "dropout_p": (0.1, 0.2, 0.5, 0.3, 0.1)},
    "mlp4": {"widths": (512, 512, 512), "dropout_p": (0.5, 0.3, 0.3, 0.1)},
}
ENCODINGS = ("bitserial8", "binary")


class _SignActSTE(torch.autograd.Function):
    """Forward: +1 if x >= 0 else -1. Backward: hardtanh gradient (pass where |x| <= 1)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.where(x >= 0, torch.ones_like(x), -torch.ones_like(x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (x.abs() <= 1).to(grad.dtype)


class _SignWeightSTE(torch.autograd.Function):
    """Forward: +1 if w >= 0 else -1. Backward: identity (straight-through)."""

    @staticmethod
    def forward(ctx, w):
        return torch.where(w >= 0, torch.ones_like(w), -torch.ones_like(w))

    @staticmethod
    def backward(ctx, grad):
        return grad


def sign_act(x):
    return _SignActSTE.apply(x)


def binarize_weight(w):
    """Channel-wise normalization (paper eqs. 12-15) then sign (eq. 16), STE backward.

    The mean and standard deviation are taken over everything but the output-channel
    dimension (fan-in: Cin*K*K for conv, in_features for linear)."""
    flat = w.reshape(w.shape[0], -1)
    centered = flat - flat.mean(dim=1, keepdim=True)
    std = centered.pow(2).mean(dim=1, keepdim=True).sqrt()
    normalized = centered / (std + 1e-12)
    return _SignWeightSTE.apply(normalized).reshape(w.shape)


class _BinaryLayer(nn.Module):
    """Common part of BinaryConv2d and BinaryLinear."""

    def __init__(self, name, out_ch, activation, dropout_p, pool_kind, pool_size, weight_shape):
        super().__init__()
        if activation not in ("sign", "none"):
            raise ValueError(f"{name}: activation must be sign or none")
        if not 0.0 <= dropout_p < 1.0:
            raise ValueError(f"{name}: dropout_p must be in [0, 1)")
        self.name = name
        self.out_ch = out_ch
        self.activation = activation
        self.dropout_p = float(dropout_p)
        self.pool_kind = pool_kind      # None, "max" or "avg"
        self.pool_size = pool_size
        self.mc = False                 # keep scale dropout on at eval (MC inference)
        self.weight = nn.Parameter(torch.empty(weight_shape))
        nn.init.kaiming_uniform_(self.weight, a=5 ** 0.5)
        self.scale = nn.Parameter(torch.ones(out_ch))
        self.register_parameter("bias", None)  # optional; only loaded models may have one
        # Fixed +-1 weights (set when loading an exported model) bypass binarization.
        self.register_buffer("fixed_weight", None)

    def binary_weight(self):
        if self.fixed_weight is not None:
            return self.fixed_weight
        return binarize_weight(self.weight)

    @property
    def stochastic(self):
        return (self.training or self.mc) and self.dropout_p > 0.0

    def _scale_bn_act(self, s):
        if self.bias is not None:
            s = s + self.bias.view(1, -1, *([1] * (s.dim() - 2)))
        shape = (1, -1) + (1,) * (s.dim() - 2)
        if self.stochastic:
            dropped = torch.rand(s.shape[0], device=s.device) < self.dropout_p
            alpha = torch.where(dropped[:, None], torch.ones_like(self.scale)[None, :],
                                self.scale[None, :])
            z = s * alpha.view(s.shape[0], -1, *([1] * (s.dim() - 2)))
        else:
            z = s * self.scale.view(shape)
        y = self.bn(z)
        if self.activation == "none":
            return y
        out = sign_act(y)
        if self.pool_kind == "max":
            out = F.max_pool2d(out, self.pool_size)
        elif self.pool_kind == "avg":
            out = sign_act(F.avg_pool2d(out, self.pool_size))
        return out


class BinaryConv2d(_BinaryLayer):
    def __init__(self, name, in_ch, out_ch, kernel, padding=0, stride=1, activation="sign",
                 dropout_p=0.0, pool_kind=None, pool_size=1, bn_eps=BN_EPS):
        super().__init__(name, out_ch, activation, dropout_p, pool_kind, pool_size,
                         (out_ch, in_ch, kernel, kernel))
        self.kind = "conv"
        self.in_ch, self.kernel, self.padding, self.stride = in_ch, kernel, padding, stride
        self.bn = nn.BatchNorm2d(out_ch, eps=bn_eps)

    def forward(self, x):
        if self.padding:
            p = self.padding
            x = F.pad(x, [p, p, p, p], value=-1.0)
        s = F.conv2d(x, self.binary_weight(), stride=self.stride)
        return self._scale_bn_act(s)


class BinaryLinear(_BinaryLayer):
    def __init__(self, name, in_features, out_features, activation="sign", dropout_p=0.0,
                 bn_eps=BN_EPS):
        super().__init__(name, out_features, activation, dropout_p, None, 1,
                         (out_features, in_features))
        self.kind = "linear"
        self.in_features = in_features
        self.bn = nn.BatchNorm1d(out_features, eps=bn_eps)

    def forward(self, x):
        s = F.linear(x.flatten(1), self.binary_weight())
        return self._scale_bn_act(s)


class BNN(nn.Module):
    """A chain of binary layers fed with raw pixels (0..255, shape [B, C, H, W])."""

    def __init__(self, layers, encoding="bitserial8", topology="custom", widths=None,
                 input_shape=(1, 28, 28), classes=10):
        super().__init__()
        if encoding not in ENCODINGS:
            raise ValueError(f"unknown input encoding {encoding!r}")
        self.layers = nn.ModuleList(layers)
        self.encoding = encoding
        self.topology = topology
        self.widths = tuple(widths) if widths else None
        self.input_shape = tuple(input_shape)
        self.classes = classes

    def encode(self, pixels):
        x = pixels.to(self.layers[0].scale.dtype)
        if self.encoding == "binary":
            return torch.where(x >= 128, torch.ones_like(x), -torch.ones_like(x))
        return (2.0 * x - 255.0) / 255.0

    def forward(self, pixels):
        x = self.encode(pixels)
        for layer in self.layers:
            x = layer(x)
        return x

    def set_mc(self, on):
        """MC mode: scale dropout stays on in eval mode (BatchNorm uses running stats)."""
        for layer in self.layers:
            layer.mc = bool(on)
        return self

    def scale_regularizer(self):
        """Sum over layers of (1 - mean(alpha))^2 (paper eq. 11)."""
        return sum((1.0 - layer.scale.mean()) ** 2 for layer in self.layers)

    def weight_l2(self):
        return sum(layer.weight.pow(2).sum() for layer in self.layers)


def build(topology, widths=None, dropout_p=None, method="scale_dropout", encoding="bitserial8"):
    """Build a named topology. method 'bnn' forces every dropout probability to 0."""
    if topology not in TOPOLOGIES:
        raise ValueError(f"unknown topology {topology!r}; expected {', '.join(TOPOLOGIES)}")
    spec = TOPOLOGIES[topology]
    widths = tuple(widths) if widths else spec["widths"]
    if len(widths) != len(spec["widths"]):
        raise ValueError(f"{topology} takes {len(spec['widths'])} widths, got {len(widths)}")
    probs = tuple(dropout_p) if dropout_p else spec["dropout_p"]
    if len(probs) != len(spec["dropout_p"]):
        raise ValueError(f"{topology} has {len(spec['dropout_p'])} layers, got {len(probs)} dropout probabilities")
    if method == "bnn":
        probs = (0.0,) * len(probs)
    elif method != "scale_dropout":
        raise ValueError(f"unknown method {method!r}; expected bnn or scale_dropout")
    if topology == "lenet5":
        c1, c2, f1, f2 = widths
        layers = [
            BinaryConv2d("conv1", 1, c1, 5, padding=2, dropout_p=probs[0], pool_kind="max", pool_size=2),
            BinaryConv2d("conv2", c1, c2, 5, padding=0, dropout_p=probs[1], pool_kind="max", pool_size=2),
            BinaryLinear("fc1", c2 * 5 * 5, f1, dropout_p=probs[2]),
            BinaryLinear("fc2", f1, f2, dropout_p=probs[3]),
            BinaryLinear("fc3", f2, 10, activation="none", dropout_p=probs[4]),
        ]
    else:
        sizes = (28 * 28,) + widths
        layers = [BinaryLinear(f"fc{i + 1}", sizes[i], sizes[i + 1], dropout_p=probs[i])
                  for i in range(len(widths))]
        layers.append(BinaryLinear(f"fc{len(widths) + 1}", widths[-1], 10, activation="none",
                                   dropout_p=probs[-1]))
    return BNN(layers, encoding=encoding, topology=topology, widths=widths)


@torch.no_grad()
def predict(model, images, mc_passes=0, batch=250):
    """Class probabilities for uint8 images [N, C, H, W].

    mc_passes = 0: one deterministic pass (eval mode, dropout off), softmax of the logits.
    mc_passes = T: T stochastic passes (eval-mode BatchNorm, scale dropout on), mean softmax.
    The model's train/eval state and MC flag are restored afterwards."""
    was_training = model.training
    model.eval()
    model.set_mc(mc_passes > 0)
    try:
        out = []
        for i in range(0, len(images), batch):
            x = torch.as_tensor(images[i:i + batch])
            if mc_passes > 0:
                probs = sum(F.softmax(model(x), dim=1) for _ in range(mc_passes)) / mc_passes
            else:
                probs = F.softmax(model(x), dim=1)
            out.append(probs)
        return torch.cat(out)
    finally:
        model.set_mc(False)
        model.train(was_training)
