#!/usr/bin/env python3
"""Makes the portable artifacts of scripts/package from a portable build (docs/packaging.md):

  live-emulator-<version>-linux-x86_64.tar.gz      the programs, the fixtures, a README
  live_emulator-<version>-py3-none-<platform>.whl   the Python helper carrying the programs
  live-emulator-<version>.tgz                       the Node helper carrying the programs (npm pack)
  live-emulator-<version>.oci.tar                   an OCI image FROM scratch (podman load -i)

Every archive is written byte for byte the same from the same inputs: entries sorted, times set to
SOURCE_DATE_EPOCH (the last commit's time, from scripts/package), owners 0, gzip without a name or
time. Standard library only.

  make_artifacts.py --build-dir DIR --source ROOT --out DIR --version V
"""
import argparse
import base64
import functools
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile

PROGRAMS = ("live-emulator", "live-client", "live-conformance")
# What a container needs besides the programs: the C library, found by ldd (docs/packaging.md).
IMAGE_NAME = "live-emulator"


def epoch():
    return int(os.environ.get("SOURCE_DATE_EPOCH", "0"))


def run(*argv, cwd=None):
    return subprocess.run(argv, cwd=cwd, check=True, capture_output=True, text=True).stdout


@functools.lru_cache(maxsize=None)
def source_files(root, folder):
    """The files of `folder` that git tracks (so that a stray local file never ships), sorted.
    Listed once, for all four artifacts."""
    try:
        listed = run("git", "-C", root, "ls-files", "-z", "--", folder).split("\0")
        files = [f for f in listed if f and os.path.isfile(os.path.join(root, f))]
        if files:
            return tuple(sorted(files))
    except (OSError, subprocess.CalledProcessError):
        pass
    found = []
    for dirpath, _, names in os.walk(os.path.join(root, folder)):
        found += [os.path.relpath(os.path.join(dirpath, n), root) for n in names]
    return tuple(sorted(found))


class Tree:
    """The files of an archive: path -> (bytes, mode) and symlinks, written in sorted order."""

    def __init__(self):
        self.files = {}
        self.links = {}
        self.dir_modes = {}

    def add(self, path, data, mode=0o644):
        self.files[path] = (data, mode)

    def add_file(self, path, source, mode=None):
        with open(source, "rb") as f:
            data = f.read()
        if mode is None:
            mode = 0o755 if os.access(source, os.X_OK) else 0o644
        self.add(path, data, mode)

    def link(self, path, target):
        self.links[path] = target

    def directory(self, path, mode):
        self.dir_modes[path] = mode

    def directories(self):
        dirs = set()
        for path in list(self.files) + list(self.links):
            parts = path.split("/")[:-1]
            for i in range(1, len(parts) + 1):
                dirs.add("/".join(parts[:i]))
        return dirs | set(self.dir_modes)

    def tar_bytes(self, with_directories=True):
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as tar:
            entries = [(p, "file") for p in self.files] + [(p, "link") for p in self.links]
            if with_directories:
                entries += [(p, "dir") for p in self.directories()]
            for path, kind in sorted(entries):
                info = tarfile.TarInfo(path)
                info.mtime = epoch()
                info.uid = info.gid = 0
                info.uname = info.gname = ""
                if kind == "dir":
                    info.type = tarfile.DIRTYPE
                    info.mode = self.dir_modes.get(path, 0o755)
                    tar.addfile(info)
                elif kind == "link":
                    info.type = tarfile.SYMTYPE
                    info.linkname = self.links[path]
                    info.mode = 0o777
                    tar.addfile(info)
                else:
                    data, mode = self.files[path]
                    info.size = len(data)
                    info.mode = mode
                    tar.addfile(info, io.BytesIO(data))
        return buffer.getvalue()


def gzip_bytes(data):
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as out:
        out.write(data)
    return buffer.getvalue()


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    return path


def add_fixtures(tree, root, prefix):
    for rel in source_files(root, "fixtures"):
        tree.add_file(prefix + "share/live-emulator/" + rel, os.path.join(root, rel), 0o644)


def glibc_floor(binaries):
    """The newest GLIBC_x.y symbol version the programs need: the wheel's manylinux tag."""
    newest = (2, 17)
    for binary in binaries:
        for major, minor in re.findall(r"GLIBC_(\d+)\.(\d+)", run("objdump", "-T", binary)):
            newest = max(newest, (int(major), int(minor)))
    return newest


def tarball(args, programs):
    name = f"live-emulator-{args.version}-linux-x86_64"
    tree = Tree()
    prefix = name + "/"
    for program, path in programs.items():
        tree.add_file(prefix + "bin/" + program, path, 0o755)
    add_fixtures(tree, args.source, prefix)
    tree.add_file(prefix + "README.md", os.path.join(args.source, "packaging", "tarball-README.md"))
    tree.add_file(prefix + "copyright", os.path.join(args.source, "packaging", "copyright"))
    return write(os.path.join(args.out, name + ".tar.gz"), gzip_bytes(tree.tar_bytes()))


def wheel(args, programs):
    """A wheel by the binary distribution format: the helper as purelib-free platlib, the programs
    as scripts (pip puts them on the venv's PATH), the fixtures as data under the prefix's share/
    (where live-conformance looks, beside its bin/)."""
    major, minor = glibc_floor(programs.values())
    tag = f"py3-none-manylinux_{major}_{minor}_x86_64"
    dist = f"live_emulator-{args.version}"
    entries = {}
    package_dir = os.path.join(args.source, "helpers", "python", "src", "live_emulator")
    for name in sorted(os.listdir(package_dir)):
        if name.endswith(".py"):
            with open(os.path.join(package_dir, name), "rb") as f:
                entries[f"live_emulator/{name}"] = (f.read(), 0o644)
    for program, path in programs.items():
        with open(path, "rb") as f:
            entries[f"{dist}.data/scripts/{program}"] = (f.read(), 0o755)
    for rel in source_files(args.source, "fixtures"):
        with open(os.path.join(args.source, rel), "rb") as f:
            entries[f"{dist}.data/data/share/live-emulator/{rel}"] = (f.read(), 0o644)
    with open(os.path.join(args.source, "helpers", "python", "README.md"), encoding="utf-8") as f:
        readme = f.read()
    metadata = (
        "Metadata-Version: 2.1\n"
        "Name: live-emulator\n"
        f"Version: {args.version}\n"
        "Summary: live-emulator, live-client and live-conformance, with the Python helper and its pytest plugin\n"
        "License: MIT\n"
        "Requires-Python: >=3.9\n"
        "Description-Content-Type: text/markdown\n"
        "\n" + readme)
    entries[f"{dist}.dist-info/METADATA"] = (metadata.encode(), 0o644)
    entries[f"{dist}.dist-info/WHEEL"] = (
        ("Wheel-Version: 1.0\nGenerator: live-emulator scripts/package\nRoot-Is-Purelib: false\n"
         f"Tag: {tag}\n").encode(), 0o644)
    entries[f"{dist}.dist-info/entry_points.txt"] = (
        b"[pytest11]\nlive_emulator = live_emulator.pytest_plugin\n", 0o644)
    record = []
    for path, (data, _) in sorted(entries.items()):
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    record.append(f"{dist}.dist-info/RECORD,,")
    entries[f"{dist}.dist-info/RECORD"] = (("\n".join(record) + "\n").encode(), 0o644)
    # Zip times cannot be before 1980; the dist-info goes last, as the format recommends.
    stamp = max(epoch(), 315532800)
    date_time = tuple(time.gmtime(stamp))[:6]
    path = os.path.join(args.out, f"{dist}-{tag}.whl")
    order = sorted(entries, key=lambda p: (".dist-info/" in p, p))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in order:
            data, mode = entries[name]
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (0o100000 | mode) << 16
            info.create_system = 3
            archive.writestr(info, data)
    return path


def npm_package(args, programs):
    """The Node helper's files, the programs under bin/ (package.json's "bin": npx runs them) and
    the fixtures under share/, packed by npm pack (which fixes every entry's time itself)."""
    node_dir = os.path.join(args.source, "helpers", "node")
    with tempfile.TemporaryDirectory() as staging:
        package = os.path.join(staging, "package")
        os.makedirs(os.path.join(package, "bin"))
        for name in ("index.js", "index.d.ts", "usersig.js", "README.md"):
            shutil.copyfile(os.path.join(node_dir, name), os.path.join(package, name))
        for program, path in programs.items():
            shutil.copyfile(path, os.path.join(package, "bin", program))
            os.chmod(os.path.join(package, "bin", program), 0o755)
        for rel in source_files(args.source, "fixtures"):
            target = os.path.join(package, "share", "live-emulator", rel)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copyfile(os.path.join(args.source, rel), target)
        with open(os.path.join(node_dir, "package.json"), encoding="utf-8") as f:
            manifest = json.load(f)
        manifest["version"] = args.version
        manifest["description"] = ("live-emulator, live-client and live-conformance for linux-x64, with the "
                                   "Node helper (start the emulator from tests, drive its control API, make UserSigs)")
        manifest["bin"] = {program: f"bin/{program}" for program in PROGRAMS}
        manifest["files"] = ["index.js", "index.d.ts", "usersig.js", "bin/", "share/"]
        manifest["os"] = ["linux"]
        manifest["cpu"] = ["x64"]
        manifest.pop("devDependencies", None)
        manifest.pop("scripts", None)
        with open(os.path.join(package, "package.json"), "w", encoding="utf-8") as f:
            json.dump(manifest, f, indent=2)
            f.write("\n")
        packed = run("npm", "pack", "--silent", "--pack-destination", os.path.abspath(args.out),
                     cwd=package).strip().splitlines()[-1]
    return os.path.join(args.out, packed)


def c_library(programs):
    """The C library files the programs load (ldd), by their real paths: the image's only
    non-project files. Returns {path in the image: file on this machine}."""
    needed = {}
    for path in programs.values():
        for line in run("ldd", path).splitlines():
            match = re.search(r"(/\S+)\s+\(0x", line)
            if match:
                needed[match.group(1)] = os.path.realpath(match.group(1))
    allowed = re.compile(r"/(ld-linux[^/]*|libc|libm|libpthread|libdl|librt)\.so[.\d]*$")
    for path in needed:
        if not allowed.search(path):
            sys.exit(f"make_artifacts: {path} is not part of the C library: the portable build "
                     "must link everything else statically")
    return needed


def oci_image(args, programs):
    """An OCI image layout in a tar (podman load -i, docker load): one layer with the programs,
    the fixtures and the C library. The emulator listens on 0.0.0.0:9000 by its environment
    (LIVE_EMULATOR_HOST/PORT), so arguments given to `run` (--config FILE) add to that."""
    tree = Tree()
    for program, path in programs.items():
        tree.add_file("usr/bin/" + program, path, 0o755)
    add_fixtures(tree, args.source, "usr/")
    for image_path, real in sorted(c_library(programs).items()):
        # Debian's loader searches /lib/x86_64-linux-gnu; the ELF interpreter is /lib64/ld-linux-x86-64.so.2.
        inside = "lib/x86_64-linux-gnu/" + os.path.basename(image_path)
        tree.add_file(inside, real, 0o755)
        if image_path.startswith("/lib64/"):
            tree.link(image_path.lstrip("/"), "/" + inside)
    tree.add("etc/passwd", b"root:x:0:0:root:/:/nonexistent\nlive:x:65532:65532:live-emulator:/:/nonexistent\n")
    tree.add("etc/group", b"root:x:0:\nlive:x:65532:\n")
    tree.directory("tmp", 0o1777)
    layer = tree.tar_bytes()
    layer_gz = gzip_bytes(layer)
    created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch()))
    labels = {
        "org.opencontainers.image.title": "live-emulator",
        "org.opencontainers.image.version": args.version,
        "org.opencontainers.image.description": "Local emulator of Tencent Cloud's live-room REST API",
        "org.opencontainers.image.licenses": "MIT",
    }
    config = {
        "created": created,
        "architecture": "amd64",
        "os": "linux",
        "config": {
            "User": "65532:65532",
            "Env": ["LIVE_EMULATOR_HOST=0.0.0.0", "LIVE_EMULATOR_PORT=9000"],
            "Entrypoint": ["/usr/bin/live-emulator"],
            "ExposedPorts": {"9000/tcp": {}},
            "WorkingDir": "/",
            "StopSignal": "SIGTERM",
            "Labels": labels,
        },
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(layer).hexdigest()]},
        "history": [{"created": created, "created_by": "scripts/package (packaging/make_artifacts.py)"}],
    }
    blobs = {}

    def blob(data):
        digest = hashlib.sha256(data).hexdigest()
        blobs[f"blobs/sha256/{digest}"] = data
        return {"digest": "sha256:" + digest, "size": len(data)}

    def canonical(value):
        return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()

    config_descriptor = dict(mediaType="application/vnd.oci.image.config.v1+json", **blob(canonical(config)))
    layer_descriptor = dict(mediaType="application/vnd.oci.image.layer.v1.tar+gzip", **blob(layer_gz))
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": config_descriptor, "layers": [layer_descriptor], "annotations": labels}
    manifest_descriptor = dict(mediaType="application/vnd.oci.image.manifest.v1+json", **blob(canonical(manifest)))
    reference = f"{IMAGE_NAME}:{args.version}"
    manifest_descriptor["annotations"] = {"org.opencontainers.image.ref.name": args.version,
                                          "io.containerd.image.name": f"docker.io/library/{reference}"}
    archive = Tree()
    for path, data in blobs.items():
        archive.add(path, data)
    archive.add("oci-layout", canonical({"imageLayoutVersion": "1.0.0"}))
    archive.add("index.json", canonical({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                                         "manifests": [manifest_descriptor]}))
    # docker load before Docker 25 reads only this file of its own format.
    archive.add("manifest.json", canonical([{"Config": f"blobs/sha256/{config_descriptor['digest'][7:]}",
                                             "RepoTags": [reference],
                                             "Layers": [f"blobs/sha256/{layer_descriptor['digest'][7:]}"]}]))
    return write(os.path.join(args.out, f"live-emulator-{args.version}.oci.tar"), archive.tar_bytes())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--version", required=True)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    with tempfile.TemporaryDirectory() as stripped:
        programs = {}
        for program in PROGRAMS:
            programs[program] = os.path.join(stripped, program)
            run("strip", "--strip-all", "-o", programs[program], os.path.join(args.build_dir, "bin", program))
            found = run(programs[program], "--version").strip()
            if found != f"{program} {args.version}":
                sys.exit(f"make_artifacts: {program} --version says '{found}', not '{program} {args.version}'")
        for path in (tarball(args, programs), wheel(args, programs), npm_package(args, programs),
                     oci_image(args, programs)):
            print(path)


if __name__ == "__main__":
    main()
