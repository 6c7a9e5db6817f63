#!/usr/bin/env python3
"""Make the committed ONNX test fixtures (tests/fixtures/onnx/ and tests/fixtures/sprites/).

Run from anywhere:  python3 scripts/onnx_fixtures.py
       or, for only the small hand-built models in tests/fixtures/onnx/bad/ (no training,
       a second or two):  python3 scripts/onnx_fixtures.py --bad-only
Needs: torch (CPU wheels are enough), onnx, numpy, pillow; onnxruntime is optional (used only to
check the exported files). About a minute and a half on two idle CPU cores. `make test` does NOT
run or need this script: its outputs are committed, and it only has to be rerun to change them.

What it writes (all float32 files are raw little-endian, row-major, no header):

tests/fixtures/onnx/
  fashion-vae-encoder.onnx  conv VAE encoder, input "image" [N,1,28,28] (NCHW, 0..1)
                            -> outputs "mu" [N,2] and "logvar" [N,2]
  fashion-vae-decoder.onnx  input "z" [N,2] -> output "image" [N,1,28,28] (0..1)
  fashion-vae-mu.f32        mu of all 10,000 Fashion-MNIST test images      [10000*2]
  fashion-vae-logvar.f32    logvar of the same                              [10000*2]
  fashion-vae-decodes.f32   decoder output for the mu of test images 0..7   [8*784]
  fashion-vae-codes.tsv     mu of test images 0..999 (Embedding Projector vectors TSV, no header)
  fashion-vae-meta.tsv      header "label", then the class name of each of those 1000 images
  fashion-vae.json          kNN(5) accuracy in mu space, training steps, test loss, ...
  sprites-ae-encoder.onnx   conv AE encoder, input "image" [N,32,32,3] (NHWC, 0..1) -> "code" [N,4]
  sprites-ae-decoder.onnx   input "z" [N,4] -> output "image" [N,32,32,3] (NHWC, 0..1)
  sprites-ae-codes.f32      codes of the 300 test sprites, in the order of sprites-ae.json [300*4]
  sprites-ae-decodes.f32    decoder output for the first 4 of those codes (NHWC)         [4*32*32*3]
  sprites-ae.json           layout, order of the test sprites, test MSE, ...
tests/fixtures/onnx/bad/     deliberately broken but well-formed models, built with onnx.helper
                             (opset 13, float32, batch axis "N"); see bad_models() and bad/README.md
  custom-op-decoder.onnx     "z" [N,2] -> com.example LatentWarp -> "image" [N,1,28,28]
  not-image-decoder.onnx     "z" [N,2] -> Gemm -> "logits" [N,10]
  nan-decoder.onnx           "z" [N,2] -> "image" [N,1,28,28], NaN for every input
  two-input-encoder.onnx     "image" [N,1,28,28] and "extra" [N,1] -> "code" [N,2]
  five-channel-encoder.onnx  "image" [N,5,28,28] -> "code" [N,2]
  rank3-code-decoder.onnx    "z" [N,2,3] -> "image" [N,1,28,28]
  small-image-decoder.onnx   "z" [N,2] -> "image" [N,1,14,14]
  dense-encoder.onnx         a valid flat pair: "x" [N,784] -> "z" [N,2]
  dense-decoder.onnx         and "z" [N,2] -> "x_hat" [N,784] (sigmoid)
  README.md                  what each is and what the explorer should say about it
tests/fixtures/sprites/
  <shape>/<index>.png       300 RGB 32x32 test sprites, 100 each of square, circle, triangle
  sprites.csv               file, shape, colour, size, x, y of each (x, y: top-left of the shape)

Everything is seeded, so a rerun with the same library versions gives the same files.
"""

import csv
import gzip
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import TensorProto, helper, numpy_helper
from PIL import Image, ImageDraw
from torch import nn

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "assets/data/fashion-mnist"
OUT = ROOT / "tests/fixtures/onnx"
BAD = OUT / "bad"
SPRITES = ROOT / "tests/fixtures/sprites"

CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
SHAPES = ["square", "circle", "triangle"]
COLOURS = {"red": (255, 0, 0), "green": (0, 255, 0), "blue": (0, 0, 255),
           "yellow": (255, 255, 0), "magenta": (255, 0, 255)}

VAE_EPOCHS, VAE_BATCH = 5, 128
AE_EPOCHS, AE_BATCH = 30, 64


START = time.time()


def elapsed():
    return f"[{time.time() - START:.0f} s]"


def seed():
    torch.manual_seed(0)
    np.random.seed(0)


def write_f32(name, array):
    """Raw little-endian float32, row-major, no header."""
    np.ascontiguousarray(array, dtype="<f4").tofile(OUT / name)


def export(module, example, name, inputs, outputs):
    """ONNX opset 13 (legacy TorchScript exporter), batch axis 0 dynamic on every input and output."""
    path = OUT / name
    with warnings.catch_warnings():  # the legacy exporter is deprecated but still works
        warnings.filterwarnings("ignore", message=".*legacy TorchScript-based ONNX export")
        torch.onnx.export(module, (example,), str(path), input_names=inputs, output_names=outputs,
                          dynamic_axes={n: {0: "N"} for n in inputs + outputs},
                          opset_version=13, do_constant_folding=True, dynamo=False)
    # The exporter leaves the sizes after a ConvTranspose symbolic ("Sigmoidimage_dim_2");
    # write the known ones so that only the batch axis is left open.
    model = onnx.load(str(path))
    with torch.no_grad():
        want = module(example)
    for out, tensor in zip(model.graph.output, want if isinstance(want, tuple) else (want,)):
        for dim, size in zip(out.type.tensor_type.shape.dim[1:], tensor.shape[1:]):
            dim.dim_value = size
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, str(path))


# ---------------------------------------------------------------------------------------------
# 1. Fashion-MNIST conv VAE, NCHW, latent 2
# ---------------------------------------------------------------------------------------------

def read_idx(name):
    """An IDX file (gzip): big-endian header of dimension sizes, then uint8 data."""
    raw = gzip.open(DATA / name).read()
    ndim = raw[3]
    dims = np.frombuffer(raw, ">u4", ndim, 4)
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def fashion(split):
    images = read_idx(f"{split}-images-idx3-ubyte.gz").astype(np.float32) / 255.0
    labels = read_idx(f"{split}-labels-idx1-ubyte.gz").astype(np.int64)
    return torch.from_numpy(images[:, None]), labels  # [N,1,28,28] in 0..1


class VaeEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 16, 3, 2, 1), nn.ReLU(),    # 16x14x14
            nn.Conv2d(16, 32, 3, 2, 1), nn.ReLU(),   # 32x7x7
            nn.Flatten(), nn.Linear(1568, 64), nn.ReLU())
        self.mu = nn.Linear(64, 2)
        self.logvar = nn.Linear(64, 2)

    def forward(self, image):
        h = self.body(image)
        return self.mu(h), self.logvar(h)


class VaeDecoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 1568), nn.ReLU())
        self.deconv = nn.Sequential(
            nn.ConvTranspose2d(32, 16, 4, 2, 1), nn.ReLU(),  # 16x14x14
            nn.ConvTranspose2d(16, 1, 4, 2, 1), nn.Sigmoid())  # 1x28x28

    def forward(self, z):
        return self.deconv(self.dense(z).view(-1, 32, 7, 7))


def vae_loss(enc, dec, x, sample):
    """Per-batch sum of BCE (summed over pixels) + KL to N(0, I). z = mu when not sampling."""
    mu, logvar = enc(x)
    z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar) if sample else mu
    bce = F.binary_cross_entropy(dec(z), x, reduction="sum")
    kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kl


def knn_accuracy(codes, labels, k=5):
    """Leave-one-out k-NN: majority label among the k nearest other points (Euclidean; equal
    distances ordered by index), a tie in votes going to the tied label met first, i.e. nearest."""
    x = codes.astype(np.float64)
    hits = 0
    for start in range(0, len(x), 500):
        d = ((x[start:start + 500, None, :] - x[None, :, :]) ** 2).sum(-1)
        d[np.arange(len(d)), np.arange(start, start + len(d))] = np.inf  # not itself
        nearest = np.argsort(d, axis=1, kind="stable")[:, :k]
        for row, idx in enumerate(nearest):
            votes = labels[idx]
            counts = np.bincount(votes, minlength=10)
            winner = next(v for v in votes if counts[v] == counts.max())
            hits += winner == labels[start + row]
    return hits / len(x)


def fashion_vae():
    seed()
    train_x, _ = fashion("train")
    test_x, test_y = fashion("t10k")
    enc, dec = VaeEncoder(), VaeDecoder()
    opt = torch.optim.Adam([*enc.parameters(), *dec.parameters()], lr=1e-3)
    steps = 0
    for epoch in range(VAE_EPOCHS):
        total = 0.0
        for batch in torch.randperm(len(train_x)).split(VAE_BATCH):
            loss = vae_loss(enc, dec, train_x[batch], sample=True)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item()
            steps += 1
        print(f"  vae epoch {epoch + 1}: train loss {total / len(train_x):.2f} per image {elapsed()}")

    enc.eval(), dec.eval()
    with torch.no_grad():
        mu, logvar = enc(test_x)
        test_loss = sum(vae_loss(enc, dec, test_x[i:i + 1000], sample=False).item()
                        for i in range(0, len(test_x), 1000)) / len(test_x)
        decodes = dec(mu[:8])
    mu, logvar = mu.numpy(), logvar.numpy()
    print(f"  vae test loss (z = mu) {test_loss:.2f} per image")

    export(enc, test_x[:2], "fashion-vae-encoder.onnx", ["image"], ["mu", "logvar"])
    export(dec, torch.from_numpy(mu[:2]), "fashion-vae-decoder.onnx", ["z"], ["image"])
    write_f32("fashion-vae-mu.f32", mu)
    write_f32("fashion-vae-logvar.f32", logvar)
    write_f32("fashion-vae-decodes.f32", decodes.numpy())

    # Embedding Projector files: vectors (no header) and metadata (one column, with header).
    with open(OUT / "fashion-vae-codes.tsv", "w") as f:
        f.writelines("\t".join(repr(float(v)) for v in row) + "\n" for row in mu[:1000])
    with open(OUT / "fashion-vae-meta.tsv", "w") as f:
        f.write("label\n")
        f.writelines(CLASSES[y] + "\n" for y in test_y[:1000])

    knn5 = knn_accuracy(mu, test_y)
    print(f"  vae kNN(5) accuracy in mu space {knn5:.4f} {elapsed()}")
    meta = {
        "knn5": knn5, "latent": 2, "layout": "NCHW", "scaling": "0-1",
        "train_steps": steps, "test_loss": test_loss,
        "test_loss_note": "mean over the 10,000 test images of BCE (summed over pixels) + KL, "
                          "decoding z = mu",
        "epochs": VAE_EPOCHS, "batch": VAE_BATCH, "size": [1, 28, 28],
        "encoder": {"inputs": {"image": ["N", 1, 28, 28]}, "outputs": {"mu": ["N", 2], "logvar": ["N", 2]}},
        "decoder": {"inputs": {"z": ["N", 2]}, "outputs": {"image": ["N", 1, 28, 28]}},
        "references": "mu/logvar: all test images in file order; decodes: dec(mu) of test images "
                      "0..7; codes.tsv/meta.tsv: test images 0..999",
        "classes": CLASSES,
    }
    (OUT / "fashion-vae.json").write_text(json.dumps(meta, indent=2) + "\n")
    return enc, dec, test_x[:16], mu[:16]


# ---------------------------------------------------------------------------------------------
# 2. Coloured sprites and a conv AE, NHWC, latent 4
# ---------------------------------------------------------------------------------------------

def sprite(rng, shape):
    """One 32x32 RGB sprite on black: a random colour, size and position fully inside."""
    colour = list(COLOURS)[rng.integers(len(COLOURS))]
    size = int(rng.integers(10, 25))  # side of the bounding box, pixels
    x, y = (int(v) for v in rng.integers(0, 33 - size, 2))
    img = Image.new("RGB", (32, 32))
    draw, box, fill = ImageDraw.Draw(img), [x, y, x + size - 1, y + size - 1], COLOURS[colour]
    if shape == "square":
        draw.rectangle(box, fill=fill)
    elif shape == "circle":
        draw.ellipse(box, fill=fill)
    else:  # triangle pointing up
        draw.polygon([(x + (size - 1) / 2, y), (x, y + size - 1), (x + size - 1, y + size - 1)], fill=fill)
    return img, dict(shape=shape, colour=colour, size=size, x=x, y=y)


class AeEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(3, 16, 3, 2, 1), nn.ReLU(),    # 16x16x16
            nn.Conv2d(16, 32, 3, 2, 1), nn.ReLU(),   # 32x8x8
            nn.Flatten(), nn.Linear(2048, 64), nn.ReLU(), nn.Linear(64, 4))

    def forward(self, image):  # NHWC in, as Keras models take images
        return self.net(image.permute(0, 3, 1, 2))


class AeDecoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Sequential(nn.Linear(4, 64), nn.ReLU(), nn.Linear(64, 2048), nn.ReLU())
        self.deconv = nn.Sequential(
            nn.ConvTranspose2d(32, 16, 4, 2, 1), nn.ReLU(),   # 16x16x16
            nn.ConvTranspose2d(16, 3, 4, 2, 1), nn.Sigmoid())  # 3x32x32

    def forward(self, z):  # NHWC out
        return self.deconv(self.dense(z).view(-1, 32, 8, 8)).permute(0, 2, 3, 1)


def sprites_ae():
    seed()
    rng = np.random.default_rng(0)
    train = np.stack([np.asarray(sprite(rng, SHAPES[rng.integers(3)])[0]) for _ in range(6000)])
    train = torch.from_numpy(train.astype(np.float32) / 255.0)  # [6000,32,32,3]

    # 300 test sprites, written as PNG and read back (PNG is lossless, so nothing changes).
    rows, files = [], []
    for shape in SHAPES:
        (SPRITES / shape).mkdir(parents=True, exist_ok=True)
        for i in range(100):
            img, info = sprite(rng, shape)
            name = f"{shape}/{i:03d}.png"
            img.save(SPRITES / name, optimize=True)
            rows.append({"file": name, **info})
            files.append(name)
    with open(SPRITES / "sprites.csv", "w", newline="") as f:
        w = csv.DictWriter(f, ["file", "shape", "colour", "size", "x", "y"])
        w.writeheader()
        w.writerows(rows)
    test = np.stack([np.asarray(Image.open(SPRITES / n).convert("RGB")) for n in files])
    test = torch.from_numpy(test.astype(np.float32) / 255.0)

    enc, dec = AeEncoder(), AeDecoder()
    opt = torch.optim.Adam([*enc.parameters(), *dec.parameters()], lr=2e-3)
    for epoch in range(AE_EPOCHS):
        total = 0.0
        for batch in torch.randperm(len(train)).split(AE_BATCH):
            x = train[batch]
            loss = F.mse_loss(dec(enc(x)), x)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(batch)
        if (epoch + 1) % 5 == 0:
            print(f"  ae epoch {epoch + 1}: train mse {total / len(train):.5f} {elapsed()}")

    enc.eval(), dec.eval()
    with torch.no_grad():
        codes = enc(test)
        recon = dec(codes)
        test_mse = F.mse_loss(recon, test).item()
    print(f"  ae test mse {test_mse:.5f} {elapsed()}")
    # Colour check: the mean reconstructed colour over each sprite's own pixels should be its colour.
    mask = test.sum(-1) > 0
    right = 0
    for r, m, row in zip(recon, mask, rows):
        mean = r[m].mean(0).numpy() * 255
        best = min(COLOURS, key=lambda c: np.sum((np.array(COLOURS[c]) - mean) ** 2))
        right += best == row["colour"]
    print(f"  ae colour right on {right}/300 test sprites")

    export(enc, test[:2], "sprites-ae-encoder.onnx", ["image"], ["code"])
    export(dec, codes[:2], "sprites-ae-decoder.onnx", ["z"], ["image"])
    write_f32("sprites-ae-codes.f32", codes.numpy())
    write_f32("sprites-ae-decodes.f32", recon[:4].numpy())
    meta = {
        "latent": 4, "layout": "NHWC", "size": [32, 32, 3], "scaling": "0-1",
        "order": SHAPES,
        "order_note": "codes are of tests/fixtures/sprites/<shape>/000..099.png, shapes in "
                      "'order', files sorted by name (the list 'files'); decodes: the first 4 codes",
        "files": files, "test_mse": test_mse, "colour_right": right,
        "epochs": AE_EPOCHS, "batch": AE_BATCH,
        "encoder": {"inputs": {"image": ["N", 32, 32, 3]}, "outputs": {"code": ["N", 4]}},
        "decoder": {"inputs": {"z": ["N", 4]}, "outputs": {"image": ["N", 32, 32, 3]}},
    }
    (OUT / "sprites-ae.json").write_text(json.dumps(meta, indent=2) + "\n")
    return enc, dec, test[:16], codes[:16].numpy()


# ---------------------------------------------------------------------------------------------
# 3. Check the ONNX files against torch (if onnxruntime is installed), 5. sizes (in main)
# ---------------------------------------------------------------------------------------------

def check(name, module, example):
    """Run the exported file on batches of 1 and 16 and compare with the torch module."""
    try:
        import onnxruntime as ort
    except ImportError:
        print(f"  {name}: onnxruntime not installed, not checked")
        return
    session = ort.InferenceSession(str(OUT / name), providers=["CPUExecutionProvider"])
    feed_name = session.get_inputs()[0].name
    for n in (1, len(example)):
        x = torch.as_tensor(example[:n])
        with torch.no_grad():
            want = module(x)
        want = want if isinstance(want, tuple) else (want,)
        got = session.run(None, {feed_name: x.numpy()})
        diff = max(float(np.abs(g - w.numpy()).max()) for g, w in zip(got, want))
        print(f"  {name}: batch {n:2d}, max |onnx - torch| = {diff:.2e}")


# ---------------------------------------------------------------------------------------------
# 4. Deliberately broken (but well-formed) models, built by hand with onnx.helper
# ---------------------------------------------------------------------------------------------

BAD_README = """\
# Deliberately broken ONNX models

Made by `python3 scripts/onnx_fixtures.py --bad-only` (function `bad_models`), with
`onnx.helper`: opset 13, IR version 7, float32, batch axis symbolic `N`, seeded random weights.
Each is well-formed (passes `onnx.checker.check_model(full_check=True)`; for the custom-domain
one only because the checker skips ops of domains it does not know) and runs in onnxruntime,
except `custom-op-decoder.onnx`. What the explorer is expected to say about each:

| file | what it is | the explorer should say |
|---|---|---|
| `custom-op-decoder.onnx` | `z` [N,2] -> `LatentWarp` (domain `com.example`, v1) -> `image` [N,1,28,28] | the model uses an operator the runtime does not have, naming it (`com.example` `LatentWarp`) |
| `not-image-decoder.onnx` | `z` [N,2] -> Gemm -> `logits` [N,10] | the decoder's output is not an image (a classifier's [N, 10]) |
| `nan-decoder.onnx` | `z` [N,2] -> Sqrt(-(z*z+1)) -> Gemm -> Reshape -> `image` [N,1,28,28] | the decoder produced NaN (every pixel, for every z) |
| `two-input-encoder.onnx` | `image` [N,1,28,28] and `extra` [N,1] -> `code` [N,2] | the encoder has two inputs; one image input is needed |
| `five-channel-encoder.onnx` | `image` [N,5,28,28] -> `code` [N,2] | no 1- or 3-channel axis: neither NCHW nor NHWC grey/RGB images |
| `rank3-code-decoder.onnx` | `z` [N,2,3] -> `image` [N,1,28,28] | codes are not [N, D] (the decoder input has rank 3) |
| `small-image-decoder.onnx` | `z` [N,2] -> `image` [N,1,14,14] | its 14x14 images do not match a 28x28 encoder (e.g. `../fashion-vae-encoder.onnx`) |
| `dense-encoder.onnx` + `dense-decoder.onnx` | a VALID pair on flat rows: `x` [N,784] -> `z` [N,2]; `z` [N,2] -> sigmoid -> `x_hat` [N,784] | works: a dense model exported flat (784 = 28x28x1), as many PyTorch MLP autoencoders are |
"""


def _value(name, dims):
    """A float32 graph input/output; the batch axis is the string "N"."""
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, dims)


def _weight(rng, name, shape, scale=0.1):
    return numpy_helper.from_array((rng.standard_normal(shape) * scale).astype(np.float32), name)


def _ints(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


def _save(name, nodes, inputs, outputs, inits=(), domains=(), check_it=True):
    graph = helper.make_graph(nodes, name.removesuffix(".onnx"), inputs, outputs, list(inits))
    opsets = [helper.make_opsetid("", 13)] + [helper.make_opsetid(d, v) for d, v in domains]
    # IR 7 (what opset 13 came with, and what the torch-exported fixtures carry), not the newest.
    model = helper.make_model(graph, opset_imports=opsets, ir_version=7,
                              producer_name="scripts/onnx_fixtures.py")
    if check_it:
        onnx.checker.check_model(model, full_check=True)
    onnx.save(model, str(BAD / name))
    return model


def bad_models():
    """Write tests/fixtures/onnx/bad/*.onnx and its README.md, then run each in onnxruntime."""
    BAD.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    N = "N"

    # 1. An operator no runtime has.
    model = _save("custom-op-decoder.onnx",
                  [helper.make_node("LatentWarp", ["z"], ["image"], domain="com.example")],
                  [_value("z", [N, 2])], [_value("image", [N, 1, 28, 28])],
                  domains=[("com.example", 1)], check_it=False)
    try:  # the checker skips ops of domains it does not know (onnx 1.23); say so if one does not
        onnx.checker.check_model(model, full_check=True)
    except onnx.checker.ValidationError as e:
        print(f"  custom-op-decoder.onnx: checker complains, left unchecked: {str(e).splitlines()[0]}")

    # 2. A classifier head, not an image.
    _save("not-image-decoder.onnx",
          [helper.make_node("Gemm", ["z", "W", "b"], ["logits"])],
          [_value("z", [N, 2])], [_value("logits", [N, 10])],
          [_weight(rng, "W", [2, 10]), _weight(rng, "b", [10])])

    # 3. NaN for every input: sqrt(-(z*z + 1)), then an ordinary dense decoder.
    _save("nan-decoder.onnx",
          [helper.make_node("Mul", ["z", "z"], ["zz"]),
           helper.make_node("Add", ["zz", "one"], ["zz1"]),
           helper.make_node("Neg", ["zz1"], ["neg"]),
           helper.make_node("Sqrt", ["neg"], ["nan"]),
           helper.make_node("Gemm", ["nan", "W", "b"], ["flat"]),
           helper.make_node("Reshape", ["flat", "shape"], ["image"])],
          [_value("z", [N, 2])], [_value("image", [N, 1, 28, 28])],
          [numpy_helper.from_array(np.array(1, np.float32), "one"),
           _weight(rng, "W", [2, 784]), _weight(rng, "b", [784]), _ints("shape", [-1, 1, 28, 28])])

    # 4. Two inputs.
    _save("two-input-encoder.onnx",
          [helper.make_node("Flatten", ["image"], ["flat"]),
           helper.make_node("Gemm", ["flat", "W", "b"], ["h"]),
           helper.make_node("Add", ["h", "extra"], ["code"])],
          [_value("image", [N, 1, 28, 28]), _value("extra", [N, 1])], [_value("code", [N, 2])],
          [_weight(rng, "W", [784, 2], 0.01), _weight(rng, "b", [2])])

    # 5. Five channels: neither grey nor RGB, in either layout.
    _save("five-channel-encoder.onnx",
          [helper.make_node("Flatten", ["image"], ["flat"]),
           helper.make_node("Gemm", ["flat", "W", "b"], ["code"])],
          [_value("image", [N, 5, 28, 28])], [_value("code", [N, 2])],
          [_weight(rng, "W", [3920, 2], 0.01), _weight(rng, "b", [2])])

    # 6. Codes of rank 3.
    _save("rank3-code-decoder.onnx",
          [helper.make_node("Flatten", ["z"], ["flat"]),
           helper.make_node("Gemm", ["flat", "W", "b"], ["h"]),
           helper.make_node("Sigmoid", ["h"], ["s"]),
           helper.make_node("Reshape", ["s", "shape"], ["image"])],
          [_value("z", [N, 2, 3])], [_value("image", [N, 1, 28, 28])],
          [_weight(rng, "W", [6, 784]), _weight(rng, "b", [784]), _ints("shape", [-1, 1, 28, 28])])

    # 7. 14x14 images: do not match a 28x28 encoder.
    _save("small-image-decoder.onnx",
          [helper.make_node("Gemm", ["z", "W", "b"], ["h"]),
           helper.make_node("Sigmoid", ["h"], ["s"]),
           helper.make_node("Reshape", ["s", "shape"], ["image"])],
          [_value("z", [N, 2])], [_value("image", [N, 1, 14, 14])],
          [_weight(rng, "W", [2, 196]), _weight(rng, "b", [196]), _ints("shape", [-1, 1, 14, 14])])

    # 8. A valid dense pair on flat rows of 784.
    _save("dense-encoder.onnx",
          [helper.make_node("Gemm", ["x", "W", "b"], ["z"])],
          [_value("x", [N, 784])], [_value("z", [N, 2])],
          [_weight(rng, "W", [784, 2], 0.01), _weight(rng, "b", [2], 0.01)])
    _save("dense-decoder.onnx",
          [helper.make_node("Gemm", ["z", "W", "b"], ["h"]),
           helper.make_node("Sigmoid", ["h"], ["x_hat"])],
          [_value("z", [N, 2])], [_value("x_hat", [N, 784])],
          [_weight(rng, "W", [2, 784]), _weight(rng, "b", [784])])

    (BAD / "README.md").write_text(BAD_README)
    check_bad()


def check_bad():
    """Run each bad model on a batch of 3 random inputs; print output shapes (and NaN counts)."""
    try:
        import onnxruntime as ort
    except ImportError:
        print("  onnxruntime not installed, bad/ models not run")
        return
    rng = np.random.default_rng(1)
    for path in sorted(BAD.glob("*.onnx")):
        try:
            session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        except Exception as e:  # expected for custom-op-decoder.onnx only
            first = str(e).strip().splitlines()[0]
            print(f"  {path.name}: does not load (expected only for custom-op): {first}")
            continue
        feed = {i.name: rng.uniform(0, 1, [3 if d == "N" else d for d in i.shape]).astype(np.float32)
                for i in session.get_inputs()}
        for o in session.run(None, feed):
            nan = int(np.isnan(o).sum())
            print(f"  {path.name}: output {list(o.shape)}, {nan}/{o.size} NaN")
        if path.name == "nan-decoder.onnx":
            (out,) = session.run(None, {"z": rng.normal(0, 3, (16, 2)).astype(np.float32)})
            assert np.isnan(out).all(), "nan-decoder.onnx gave a number"


def main():
    if "--bad-only" in sys.argv[1:]:
        print(f"onnx {onnx.__version__}\n4. tests/fixtures/onnx/bad/")
        bad_models()
        for path in sorted(BAD.iterdir()):
            print(f"  {path.relative_to(ROOT)}  {path.stat().st_size:,} B")
        return
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"torch {torch.__version__}, onnx {onnx.__version__}")
    print("1. Fashion-MNIST VAE")
    vae_enc, vae_dec, fx, fmu = fashion_vae()
    print(f"2. sprites AE {elapsed()}")
    ae_enc, ae_dec, sx, scodes = sprites_ae()
    print(f"3. ONNX against torch {elapsed()}")
    check("fashion-vae-encoder.onnx", vae_enc, fx)
    check("fashion-vae-decoder.onnx", vae_dec, fmu)
    check("sprites-ae-encoder.onnx", ae_enc, sx)
    check("sprites-ae-decoder.onnx", ae_dec, scodes)
    print(f"4. tests/fixtures/onnx/bad/ {elapsed()}")
    bad_models()
    print(f"5. files {elapsed()}")
    total = 0
    for path in sorted([*OUT.iterdir(), *BAD.iterdir()]):
        if path.is_dir():
            continue
        total += path.stat().st_size
        print(f"  {path.relative_to(ROOT)}  {path.stat().st_size:,} B")
    pngs = sum(p.stat().st_size for p in SPRITES.rglob("*") if p.is_file())
    print(f"  tests/fixtures/sprites/ (300 PNG + csv)  {pngs:,} B")
    print(f"  total {total + pngs:,} B {elapsed()}")


if __name__ == "__main__":
    main()
