#!/usr/bin/env python3
"""Make the committed ONNX test fixtures (tests/fixtures/onnx/ and tests/fixtures/sprites/).

Run from anywhere:  python3 scripts/onnx_fixtures.py
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
tests/fixtures/sprites/
  <shape>/<index>.png       300 RGB 32x32 test sprites, 100 each of square, circle, triangle
  sprites.csv               file, shape, colour, size, x, y of each (x, y: top-left of the shape)

Everything is seeded, so a rerun with the same library versions gives the same files.
"""

import csv
import gzip
import json
import time
import warnings
from pathlib import Path

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from PIL import Image, ImageDraw
from torch import nn

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "assets/data/fashion-mnist"
OUT = ROOT / "tests/fixtures/onnx"
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
# 3. Check the ONNX files against torch (if onnxruntime is installed), 4. sizes
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


def main():
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
    print("4. files")
    total = 0
    for path in sorted(OUT.iterdir()):
        total += path.stat().st_size
        print(f"  {path.relative_to(ROOT)}  {path.stat().st_size:,} B")
    pngs = sum(p.stat().st_size for p in SPRITES.rglob("*") if p.is_file())
    print(f"  tests/fixtures/sprites/ (300 PNG + csv)  {pngs:,} B")
    print(f"  total {total + pngs:,} B {elapsed()}")


if __name__ == "__main__":
    main()
