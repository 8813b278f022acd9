"""Binary neural network layers and models whose eval-mode forward pass is exactly the
arithmetic of docs/model-format.md (what the spincim simulator computes), for every
Bayesian method of the format.

One binary layer (conv or linear):
    W*  = sign(channel-wise normalized proxy weights)        (+1 at 0), STE backward
    s   = W* . a            (a = +-1, or (2*pixel - 255)/255 for a bitserial8 first layer;
                             spindrop / spatial_spindrop: dropped rows get input 0)
    z   = (s + bias) * alpha_hat        alpha_hat = alpha; 1 when scale-dropped (scale_dropout);
                                        one quantized sample of q(alpha) (subset)
    y   = BatchNorm(z)      (affine, running statistics at eval)
          affine_dropout instead: v = gamma_hat * (s + bias) + beta_hat, y = LayerNorm(v)
    out = sign(y + g * r) (+1 when >= 0) for hidden layers, then pooling; y (logits) for
          the last; r = 0 unless the layer has a residual source k (docs/model-format.md):
          r = k's output subsampled by the stride Hk / H, zero on channels k does not have

Methods (the stochastic part is drawn independently per sample, layer and forward pass,
while the layer is stochastic: in training, or in Monte Carlo inference):
    bnn               none
    scale_dropout     one Bernoulli(p) bit: the whole scale vector -> 1 (unitary scale dropout)
    spindrop          one bit per weight row (K*K*Cin of a conv, the inputs of a linear
                      layer): a dropped row's input is 0 at every output position, no rescaling
    spatial_spindrop  one bit per input channel (conv); per input feature (linear layer, whose
                      input channels are its features, as in the simulator)
    affine_dropout    inverted normalization: gamma -> 1 and beta -> 0 with probability p each
                      (two independent vector-wise bits), then layer normalization over all
                      outputs of the layer (population variance, no affine after it)
    subset            the scale vector is Gaussian, q(s) = N(mu, sigma^2) per element; training
                      samples it by reparameterization and quantizes it to 4 bits in the forward
                      pass (straight-through); after freeze_subset() the layer holds N quantized
                      samples and picks one uniformly per pass (what the chip does)

With rng_sigma > 0 (training only), the dropout-based methods use p_hat = clamp(p + eps, 0, 1),
eps ~ N(0, rng_sigma^2), drawn once per layer and forward pass (Scale-Dropout eq. 24).
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

BN_EPS = 1e-5

METHODS = ("bnn", "scale_dropout", "spindrop", "spatial_spindrop", "affine_dropout", "subset")
DROPOUT_METHODS = ("scale_dropout", "spindrop", "spatial_spindrop", "affine_dropout")
ROW_METHODS = ("spindrop", "spatial_spindrop")

# Default widths and layer-dependent dropout probabilities (Scale-Dropout section III-D:
# 0.1-0.2 on layers with few parameters, up to 0.5 on the largest ones). The row-dropping
# methods use the same ones; affine dropout uses AFFINE_P on every layer (its paper's 0.3).
TOPOLOGIES = {
    "lenet5": {"widths": (6, 16, 120, 84), "dropout_p": (0.1, 0.2, 0.5, 0.3, 0.1)},
    "mlp4": {"widths": (512, 512, 512), "dropout_p": (0.5, 0.3, 0.3, 0.1)},
}
ENCODINGS = ("bitserial8", "binary")

AFFINE_P = 0.3            # inverted normalization paper, section IV-A
AFFINE_INIT_STD = 0.3     # gamma ~ N(1, 0.3), beta ~ N(0, 0.3) (section IV-F)

SUBSET_SAMPLES = 16       # N stored scale vectors (a power of two: log2 N bits choose one)
SUBSET_BITS = 4           # the scale samples are quantized to 4 bits (subset paper IV-A)
SUBSET_SIGMA_INIT = 0.05  # initial standard deviation of q(s)
SUBSET_PRIOR = (1.0, 1.0)  # prior N(mean, std) of every scale element


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


def quantize_uniform(v, lo, hi, bits):
    """Round v to the nearest of 2^bits levels spread uniformly over [lo, hi] (ties up),
    the rule of the simulator's scale crossbar (arch/mapping.c)."""
    levels = (1 << bits) - 1
    if hi <= lo:
        return torch.full_like(v, float(lo))
    code = torch.floor((v - lo) / (hi - lo) * levels + 0.5)
    return lo + code * (hi - lo) / levels


def inverse_softplus(y):
    return math.log(math.expm1(y))


class _BinaryLayer(nn.Module):
    """Common part of BinaryConv2d and BinaryLinear."""

    def __init__(self, name, out_ch, activation, dropout_p, pool_kind, pool_size, weight_shape,
                 method, bn_eps, residual=None, residual_gain=1.0):
        super().__init__()
        if residual is not None and activation != "sign":
            raise ValueError(f"{name}: only hidden (sign) layers have a residual source")
        if not residual_gain > 0.0:
            raise ValueError(f"{name}: residual_gain must be positive")
        if activation not in ("sign", "none"):
            raise ValueError(f"{name}: activation must be sign or none")
        if not 0.0 <= dropout_p < 1.0:
            raise ValueError(f"{name}: dropout_p must be in [0, 1)")
        if method not in METHODS:
            raise ValueError(f"{name}: unknown method {method!r}")
        if method in ("bnn", "subset") and dropout_p != 0.0:
            raise ValueError(f"{name}: method {method} has dropout_p 0")
        self.name = name
        self.out_ch = out_ch
        self.activation = activation
        self.dropout_p = float(dropout_p)
        self.method = method
        self.bn_eps = float(bn_eps)
        self.residual = residual        # name of the residual source layer, or None
        self.residual_gain = float(residual_gain)
        self.pool_kind = pool_kind      # None, "max" or "avg"
        self.pool_size = pool_size
        self.mc = False                 # keep the stochastic part on at eval (MC inference)
        self.rng_sigma = 0.0            # training: std of the dropout-probability variation
        self.weight = nn.Parameter(torch.empty(weight_shape))
        nn.init.kaiming_uniform_(self.weight, a=5 ** 0.5)
        self.register_parameter("bias", None)  # optional; only loaded models may have one
        # Fixed +-1 weights (set when loading an exported model) bypass binarization.
        self.register_buffer("fixed_weight", None)
        if method == "affine_dropout":
            # beta is trained as beta_unit * sqrt(fan-in): the sums s grow like sqrt(fan-in),
            # and a beta on the scale of the paper's N(0, 0.3) init could never move a unit's
            # threshold (with Adam's ~lr-sized steps) before layer normalization makes the
            # units with a large offset constant. The layer computes with
            # affine_bias = beta_unit * sqrt(fan-in), which is what is exported.
            self.register_parameter("scale", None)
            self.beta_gain = math.sqrt(math.prod(weight_shape[1:]))
            self.affine_weight = nn.Parameter(1.0 + AFFINE_INIT_STD * torch.randn(out_ch))
            self.affine_bias_unit = nn.Parameter(AFFINE_INIT_STD * torch.randn(out_ch))
            self.register_buffer("fixed_affine_bias", None)   # exact beta of a loaded model
            self.bn = None
        else:
            self.scale = nn.Parameter(torch.ones(out_ch))   # alpha, or the mean of q(s)
            self.bn = self._make_bn(out_ch, self.bn_eps)
        if method == "subset":
            self.scale_rho = nn.Parameter(torch.full((out_ch,), inverse_softplus(SUBSET_SIGMA_INIT)))
            self.subset_bits = SUBSET_BITS
            # The N stored (quantized) samples [N, out_ch], set by freeze_subset / loading.
            self.register_buffer("scale_samples", None)

    def binary_weight(self):
        if self.fixed_weight is not None:
            return self.fixed_weight
        return binarize_weight(self.weight)

    @property
    def stochastic(self):
        if not (self.training or self.mc):
            return False
        return self.dropout_p > 0.0 or self.method == "subset"

    def drop_p(self):
        """This forward pass's dropout probability: p, or p + N(0, rng_sigma^2) clamped to
        [0, 1] while training with probability variation."""
        if self.training and self.rng_sigma > 0.0:
            return min(1.0, max(0.0, self.dropout_p + self.rng_sigma * torch.randn(()).item()))
        return self.dropout_p

    def _channel_view(self, t, s):
        """Per-channel [C] or per-sample [B, C] tensor t, shaped to broadcast over s."""
        lead = (1, -1) if t.dim() == 1 else (t.shape[0], -1)
        return t.view(*lead, *([1] * (s.dim() - 2)))

    # ---- subset-parameter inference

    def subset_sigma(self):
        return F.softplus(self.scale_rho)

    def subset_kl(self):
        """KL(q(s) || prior) summed over the layer's scale elements (Gaussians)."""
        m0, s0 = SUBSET_PRIOR
        sigma = self.subset_sigma()
        return (math.log(s0) - torch.log(sigma)
                + (sigma.pow(2) + (self.scale - m0).pow(2)) / (2.0 * s0 * s0) - 0.5).sum()

    def _subset_alpha(self, batch):
        if not self.stochastic:
            return self.scale
        if self.scale_samples is not None:
            pick = torch.randint(0, self.scale_samples.shape[0], (batch,), device=self.scale.device)
            return self.scale_samples[pick]
        sample = self.scale + self.subset_sigma() * torch.randn(batch, self.out_ch,
                                                                 device=self.scale.device)
        lo, hi = sample.min().item(), sample.max().item()
        q = quantize_uniform(sample.detach(), lo, hi, self.subset_bits)
        return sample + (q - sample.detach())      # straight-through

    @torch.no_grad()
    def freeze_subset(self, n, bits=SUBSET_BITS, generator=None):
        """Draw the n scale samples the chip stores, quantize them and the mean on one
        uniform grid of 2^bits levels between the minimum and maximum of those values;
        afterwards the layer uses them (scale = the quantized mean)."""
        mu = self.scale.detach().double()
        sigma = self.subset_sigma().detach().double()
        eps = torch.randn(n, self.out_ch, generator=generator, dtype=torch.float64)
        samples = mu[None, :] + sigma[None, :] * eps
        lo = min(samples.min().item(), mu.min().item())
        hi = max(samples.max().item(), mu.max().item())
        self.subset_bits = bits
        self.scale_samples = quantize_uniform(samples, lo, hi, bits).to(self.scale.dtype)
        self.scale.copy_(quantize_uniform(mu, lo, hi, bits).to(self.scale.dtype))

    # ---- after the MVM

    @property
    def affine_bias(self):
        """beta of the inverted normalization, as exported (affine_dropout only)."""
        if self.fixed_affine_bias is not None:
            return self.fixed_affine_bias
        return self.affine_bias_unit * self.beta_gain

    def set_affine_bias(self, beta):
        """Install an exported beta as it is (loading), like the fixed +-1 weights."""
        self.fixed_affine_bias = torch.as_tensor(beta, dtype=self.affine_bias_unit.dtype).clone()
        with torch.no_grad():
            self.affine_bias_unit.copy_(self.fixed_affine_bias / self.beta_gain)

    def _row_keep(self, shape, device):
        """Keep mask (1 = kept, 0 = dropped) with probability 1 - p of each entry."""
        return (torch.rand(shape, device=device) >= self.drop_p()).to(self.weight.dtype)

    def _post(self, s):
        if self.bias is not None:
            s = s + self._channel_view(self.bias, s)
        if self.method == "affine_dropout":
            gamma, beta = self.affine_weight, self.affine_bias
            if self.stochastic:
                p = self.drop_p()
                b = s.shape[0]
                drop_g = torch.rand(b, device=s.device) < p
                drop_b = torch.rand(b, device=s.device) < p
                gamma = torch.where(drop_g[:, None], torch.ones_like(gamma)[None, :], gamma[None, :])
                beta = torch.where(drop_b[:, None], torch.zeros_like(beta)[None, :], beta[None, :])
            v = s * self._channel_view(gamma, s) + self._channel_view(beta, s)
            dims = tuple(range(1, v.dim()))
            mean = v.mean(dim=dims, keepdim=True)
            var = (v - mean).pow(2).mean(dim=dims, keepdim=True)
            return (v - mean) / torch.sqrt(var + self.bn_eps)
        if self.method == "subset":
            alpha = self._subset_alpha(s.shape[0])
        elif self.method == "scale_dropout" and self.stochastic:
            dropped = torch.rand(s.shape[0], device=s.device) < self.drop_p()
            alpha = torch.where(dropped[:, None], torch.ones_like(self.scale)[None, :],
                                self.scale[None, :])
        else:
            alpha = self.scale
        return self.bn(s * self._channel_view(alpha, s))

    def _act(self, y):
        if self.activation == "none":
            return y
        out = sign_act(y)
        if self.pool_kind == "max":
            out = F.max_pool2d(out, self.pool_size)
        elif self.pool_kind == "avg":
            out = sign_act(F.avg_pool2d(out, self.pool_size))
        return out

    def forward(self, x, shortcut=None):
        """shortcut: the residual source's output (+-1) when the layer has one."""
        y = self._post(self._mvm(x))
        if shortcut is not None:
            y = y + self.residual_gain * residual_term(shortcut, y)
        return self._act(y)


def residual_term(src, y):
    """The shortcut r of docs/model-format.md for pre-activations y ([B, C, H, W] or
    [B, C]): the source's output [B, Ck, Hk, Wk] (or [B, Ck]) at every stride-th row and
    column, stride = Hk / H, and zero on the channels Ck..C-1."""
    if src.dim() == 2:
        src = src[:, :, None, None]
    h, w = (y.shape[2], y.shape[3]) if y.dim() == 4 else (1, 1)
    st = src.shape[2] // h
    if src.shape[2] != st * h or src.shape[3] != st * w or src.shape[1] > y.shape[1]:
        raise ValueError(f"residual source of shape {list(src.shape[1:])} does not fit "
                         f"outputs of shape {list(y.shape[1:])}")
    r = F.pad(src[:, :, ::st, ::st], [0, 0, 0, 0, 0, y.shape[1] - src.shape[1]])
    return r if y.dim() == 4 else r.flatten(1)


class BinaryConv2d(_BinaryLayer):
    def __init__(self, name, in_ch, out_ch, kernel, padding=0, stride=1, activation="sign",
                 dropout_p=0.0, pool_kind=None, pool_size=1, bn_eps=BN_EPS, method="scale_dropout",
                 residual=None, residual_gain=1.0):
        super().__init__(name, out_ch, activation, dropout_p, pool_kind, pool_size,
                         (out_ch, in_ch, kernel, kernel), method, bn_eps, residual, residual_gain)
        self.kind = "conv"
        self.in_ch, self.kernel, self.padding, self.stride = in_ch, kernel, padding, stride

    @staticmethod
    def _make_bn(out_ch, eps):
        return nn.BatchNorm2d(out_ch, eps=eps)

    def _mvm(self, x):
        if self.padding:
            p = self.padding
            x = F.pad(x, [p, p, p, p], value=-1.0)
        w = self.binary_weight()
        if self.stochastic and self.method == "spindrop":
            # One keep bit per row (c, kh, kw) and sample, shared by every output position
            # of the sample. In im2col terms s = W . (x_cols * keep[:, :, None]), x_cols =
            # unfold(x) [B, Cin*K*K, L]; masking row r of x_cols is masking column r of W,
            # so each sample is convolved with its own masked kernel W * keep_b: one grouped
            # convolution (groups = B), the same sums 4-6x faster than unfold + matmul here.
            b, cin = x.shape[0], x.shape[1]
            keep = self._row_keep((b, 1) + tuple(w.shape[1:]), x.device)   # [B, 1, Cin, K, K]
            wb = (w[None] * keep).reshape(b * w.shape[0], *w.shape[1:])
            s = F.conv2d(x.reshape(1, b * cin, x.shape[2], x.shape[3]), wb, stride=self.stride,
                         groups=b)
            return s.reshape(b, w.shape[0], s.shape[2], s.shape[3])
        if self.stochastic and self.method == "spatial_spindrop":
            # All K*K rows of a dropped channel get input 0 (padding included): zeroing the
            # channel of the padded input is the same.
            x = x * self._row_keep((x.shape[0], x.shape[1], 1, 1), x.device)
        return F.conv2d(x, w, stride=self.stride)


class BinaryLinear(_BinaryLayer):
    def __init__(self, name, in_features, out_features, activation="sign", dropout_p=0.0,
                 bn_eps=BN_EPS, method="scale_dropout", residual=None, residual_gain=1.0):
        super().__init__(name, out_features, activation, dropout_p, None, 1,
                         (out_features, in_features), method, bn_eps, residual, residual_gain)
        self.kind = "linear"
        self.in_features = in_features

    @staticmethod
    def _make_bn(out_ch, eps):
        return nn.BatchNorm1d(out_ch, eps=eps)

    def _mvm(self, x):
        x = x.flatten(1)
        if self.stochastic and self.method in ROW_METHODS:
            # A linear layer's input channels are its features: one bit per input row.
            x = x * self._row_keep(x.shape, x.device)
        # A 1x1 convolution computes the same sums as F.linear; it runs through oneDNN,
        # which is several times faster than the generic BLAS some torch builds use.
        w = self.binary_weight()
        return F.conv2d(x[:, :, None, None], w[:, :, None, None]).flatten(1)


class BNN(nn.Module):
    """A chain of binary layers fed with raw pixels (0..255, shape [B, C, H, W]); a layer
    may also add an earlier layer's output (its residual source) before its sign."""

    def __init__(self, layers, encoding="bitserial8", topology="custom", widths=None,
                 input_shape=(1, 28, 28), classes=10):
        super().__init__()
        if encoding not in ENCODINGS:
            raise ValueError(f"unknown input encoding {encoding!r}")
        methods = {layer.method for layer in layers}
        if len(methods) != 1:
            raise ValueError("all layers of a model must share one method")
        names = [layer.name for layer in layers]
        for i, layer in enumerate(layers):
            if layer.residual is not None and layer.residual not in names[:i]:
                raise ValueError(f"{layer.name}: residual source {layer.residual!r} is not an "
                                 "earlier layer")
        self.layers = nn.ModuleList(layers)
        self.method = methods.pop()
        self.encoding = encoding
        self.topology = topology
        self.widths = tuple(widths) if widths else None
        self.input_shape = tuple(input_shape)
        self.classes = classes

    @property
    def stochastic_method(self):
        """Does Monte Carlo inference differ from the point estimate?"""
        return self.method == "subset" or any(l.dropout_p > 0.0 for l in self.layers)

    def encode(self, pixels):
        x = pixels.to(self.layers[0].weight.dtype)
        if self.encoding == "binary":
            return torch.where(x >= 128, torch.ones_like(x), -torch.ones_like(x))
        return (2.0 * x - 255.0) / 255.0

    def forward(self, pixels):
        x = self.encode(pixels)
        sources = {layer.residual for layer in self.layers if layer.residual is not None}
        outputs = {}
        for layer in self.layers:
            x = layer(x, outputs[layer.residual] if layer.residual is not None else None)
            if layer.name in sources:
                outputs[layer.name] = x
        return x

    def set_mc(self, on):
        """MC mode: the stochastic part stays on in eval mode (BatchNorm uses running stats)."""
        for layer in self.layers:
            layer.mc = bool(on)
        return self

    def set_rng_variation(self, sigma):
        """Train with per-layer dropout probabilities p + N(0, sigma^2), redrawn per batch."""
        for layer in self.layers:
            layer.rng_sigma = float(sigma)
        return self

    def scale_regularizer(self):
        """Sum over layers of (1 - mean(alpha))^2 (Scale-Dropout eq. 11)."""
        return sum((1.0 - layer.scale.mean()) ** 2 for layer in self.layers)

    def subset_kl(self):
        """KL(q(s) || prior) of every layer's scale vector (subset method)."""
        return sum(layer.subset_kl() for layer in self.layers)

    @torch.no_grad()
    def freeze_subset(self, n=SUBSET_SAMPLES, bits=SUBSET_BITS, generator=None):
        for layer in self.layers:
            layer.freeze_subset(n, bits, generator)
        return self

    def weight_l2(self):
        return sum(layer.weight.pow(2).sum() for layer in self.layers)


def build(topology, widths=None, dropout_p=None, method="scale_dropout", encoding="bitserial8"):
    """Build a named topology. Methods bnn and subset force every dropout probability to 0;
    affine_dropout defaults to AFFINE_P on every layer."""
    if topology not in TOPOLOGIES:
        raise ValueError(f"unknown topology {topology!r}; expected {', '.join(TOPOLOGIES)}")
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; expected {', '.join(METHODS)}")
    spec = TOPOLOGIES[topology]
    widths = tuple(widths) if widths else spec["widths"]
    if len(widths) != len(spec["widths"]):
        raise ValueError(f"{topology} takes {len(spec['widths'])} widths, got {len(widths)}")
    n_layers = len(spec["dropout_p"])
    if dropout_p:
        probs = tuple(dropout_p)
    elif method == "affine_dropout":
        probs = (AFFINE_P,) * n_layers
    else:
        probs = spec["dropout_p"]
    if len(probs) != n_layers:
        raise ValueError(f"{topology} has {n_layers} layers, got {len(probs)} dropout probabilities")
    if method in ("bnn", "subset"):
        probs = (0.0,) * n_layers
    kw = {"method": method}
    if topology == "lenet5":
        c1, c2, f1, f2 = widths
        layers = [
            BinaryConv2d("conv1", 1, c1, 5, padding=2, dropout_p=probs[0], pool_kind="max", pool_size=2, **kw),
            BinaryConv2d("conv2", c1, c2, 5, padding=0, dropout_p=probs[1], pool_kind="max", pool_size=2, **kw),
            BinaryLinear("fc1", c2 * 5 * 5, f1, dropout_p=probs[2], **kw),
            BinaryLinear("fc2", f1, f2, dropout_p=probs[3], **kw),
            BinaryLinear("fc3", f2, 10, activation="none", dropout_p=probs[4], **kw),
        ]
    else:
        sizes = (28 * 28,) + widths
        layers = [BinaryLinear(f"fc{i + 1}", sizes[i], sizes[i + 1], dropout_p=probs[i], **kw)
                  for i in range(len(widths))]
        layers.append(BinaryLinear(f"fc{len(widths) + 1}", widths[-1], 10, activation="none",
                                   dropout_p=probs[-1], **kw))
    return BNN(layers, encoding=encoding, topology=topology, widths=widths)


@torch.no_grad()
def predict(model, images, mc_passes=0, batch=250):
    """Class probabilities for uint8 images [N, C, H, W].

    mc_passes = 0: one deterministic pass (eval mode, dropout off), softmax of the logits.
    mc_passes = T: T stochastic passes (eval-mode BatchNorm, the method's stochastic part on,
    drawn independently per image and pass), mean softmax.
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
