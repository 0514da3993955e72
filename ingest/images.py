"""Images of posts and products: local files from the image folder, and (opt-in) bounded downloads.

:class:`ImageResolver` turns each :class:`~kg.records.ImageRef` a reader produced
(``uri`` only) into a resolved one. Image uris come from the input data, so they
are not trusted:

* a *relative* path is looked up inside the image folder (``image_dir``, default
  the input file's folder) or the work dir's ``images`` folder, and must stay inside
  it after symlinks are resolved; absolute paths, ``file:`` uris, ``..`` escapes and
  any other scheme are refused (``"broken"``) and never read; a file that is not
  there is ``"missing"``;
* an ``http``/``https`` URL -> ``"not_downloaded"`` unless downloads are on; then it
  is fetched only from public addresses: the host's addresses are resolved and
  checked on every hop, redirects are followed by hand (each one checked again),
  the connection goes to the checked address, loopback/private/link-local/
  multicast/reserved addresses are refused unless :attr:`DownloadPolicy.allow_hosts`
  names the host; one overall deadline covers the whole download, with a size cap
  and a content-type check; environment proxies are not used (their target could
  not be checked). Downloads are cached by content hash as
  ``<cache>/<sha256>.<ext>``; a URL already fetched is looked up in
  ``<cache>/urls.tsv`` and not fetched again;
* whatever the source, the bytes must be an image Pillow accepts, within the pixel
  cap (:mod:`kg.imagecheck`), or the image is ``"broken"``. The record stays usable
  either way, and each refusal is listed in the report.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import logging
import os
import socket
import time
from collections.abc import Collection, Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx

from kg.errors import IngestError
from kg.imagecheck import check_image_bytes, read_image_file
from kg.records import ImageRef

__all__ = ["DownloadPolicy", "ImageResolver", "check_image_bytes", "is_public_address",
           "load_image_map"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DownloadPolicy:
    """Bounds on image downloads (and on local image files).

    Attributes:
        max_bytes: larger bodies (and local files) are abandoned (``broken``).
        timeout_s: connect/read timeout per request.
        deadline_s: the whole download, redirects and DNS included, must finish in this
            time (checked between reads, each of which waits at most ``timeout_s``).
        max_redirects: redirects followed (each hop is checked like the first).
        max_pixels: width x height above this is a decompression bomb (``broken``).
        content_types: accepted ``Content-Type`` prefixes.
        allow_hosts: host names (or literal addresses) that may resolve to loopback,
            private or other non-public addresses, e.g. an image server on the LAN.
    """

    max_bytes: int = 10 * 1024 * 1024
    timeout_s: float = 10.0
    deadline_s: float = 30.0
    max_redirects: int = 5
    max_pixels: int = 40_000_000
    content_types: tuple[str, ...] = ("image/",)
    allow_hosts: Collection[str] = field(default_factory=frozenset)


def is_public_address(addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True for a globally routable unicast address (not loopback, private, link-local...)."""
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    return addr.is_global and not addr.is_multicast


def load_image_map(path: Path) -> dict[str, Path]:
    """Read an image map: one JSON object, uri -> file path relative to the map's folder.

    Raises:
        IngestError: the file is missing or is not a JSON object of strings.
    """
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IngestError(f"cannot read the image map ({exc})", path=str(path)) from exc
    if not isinstance(raw, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in raw.items()):
        raise IngestError('the image map must be one JSON object {"<uri>": "<file>", ...}',
                          path=str(path))
    folder = path.parent.resolve()
    out: dict[str, Path] = {}
    for uri, name in raw.items():
        target = (folder / name).resolve()
        if Path(name).is_absolute() or not target.is_relative_to(folder):
            raise IngestError(f"the image map entry for {uri[:100]!r} points outside the map's "
                              "folder; give file names relative to it", path=str(path))
        out[uri] = target
    return out


class ImageResolver:
    """Resolves :class:`ImageRef` uris to checked local files, downloading only when asked.

    Args:
        cache_dir: the work dir's image folder (``<workdir>/images``): downloads go
            there, and relative uris are also looked up there.
        image_dir: folder for relative image paths (MMSD ``<id>.jpg``); ``None`` means
            the input file's folder.
        image_map: uri -> local file, consulted before anything else (offline copies of
            a dump's images, such as the bundled example's ``images/index.json``); each
            file must lie in the map's folder.
        download: fetch ``http``/``https`` images (off by default).
        policy: download bounds.
        client: an ``httpx.Client`` to use (one is created when downloads are on).
    """

    def __init__(
        self, cache_dir: Path, *, image_dir: Path | None = None, download: bool = False,
        policy: DownloadPolicy | None = None, client: httpx.Client | None = None,
        image_map: Mapping[str, Path] | None = None,
    ) -> None:
        self.cache_dir = cache_dir
        self.image_map = dict(image_map or {})
        self.image_dir = image_dir
        self.download = download
        self.policy = policy or DownloadPolicy()
        self._allow = frozenset(h.lower().strip("[]") for h in self.policy.allow_hosts)
        self._client = client
        self._own_client = client is None
        self._known: dict[str, tuple[str, str]] | None = None
        self._checked: dict[Path, str | None] = {}
        self.failures: list[str] = []

    def close(self) -> None:
        """Close the HTTP client when this resolver created it."""
        if self._client is not None and self._own_client:
            self._client.close()
            self._client = None

    def __enter__(self) -> ImageResolver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def resolve(self, ref: ImageRef, base_dir: Path | None = None) -> ImageRef:
        """The resolved copy of ``ref`` (see the module docstring); never raises for bad images."""
        mapped = self.image_map.get(ref.uri)
        if mapped is not None:
            return self._local(ref, mapped.name, [mapped.parent])
        try:
            scheme = urlsplit(ref.uri).scheme.lower()
        except ValueError:
            return self._fail(ref, "broken", "not a valid uri")
        if scheme in ("http", "https"):
            if not self.download:
                return ref.model_copy(update={"status": "not_downloaded"})
            return self._fetch(ref)
        if scheme and len(scheme) > 1:
            return self._fail(ref, "broken", f"scheme {scheme!r} is not read (only image "
                              "folder paths and http(s) URLs)")
        roots = [self.image_dir or base_dir or Path.cwd(), self.cache_dir]
        return self._local(ref, ref.uri, roots)

    def _local(self, ref: ImageRef, name: str, roots: list[Path]) -> ImageRef:
        """``name`` (relative) found inside one of ``roots`` and checked to be an image."""
        rel = Path(name)
        if rel.is_absolute() or (len(name) > 1 and name[1] == ":") or name.startswith("\\"):
            return self._fail(ref, "broken", "absolute paths in input data are not read; give "
                              "names relative to the image folder (--image-dir)")
        for root in roots:
            try:
                base = root.resolve()
                path = (base / rel).resolve()
            except (OSError, RuntimeError, ValueError):  # symlink loop, NUL in the name
                return self._fail(ref, "broken", "not a usable file name")
            if not path.is_relative_to(base):
                return self._fail(ref, "broken", "the path leaves the image folder; it is not "
                                  "read")
            if not path.exists():
                continue
            why = self._check_file(path)
            if why is not None:
                return self._fail(ref, "broken", why)
            return ref.model_copy(update={"status": "ok", "local_path": str(path)})
        return ref.model_copy(update={"status": "missing", "local_path": None})

    def _check_file(self, path: Path) -> str | None:
        if path not in self._checked:
            got = read_image_file(path, max_bytes=max(self.policy.max_bytes, 20 * 1024 * 1024),
                                  max_pixels=self.policy.max_pixels)
            self._checked[path] = got if isinstance(got, str) else None
        return self._checked[path]

    def _fail(self, ref: ImageRef, status: str, why: str) -> ImageRef:
        if len(self.failures) < 20:
            self.failures.append(f"{ref.uri[:200]}: {why}")
        log.debug("image %s: %s", ref.uri[:200], why)
        return ref.model_copy(update={"status": status, "local_path": None})

    def _index(self) -> dict[str, tuple[str, str]]:
        if self._known is None:
            self._known = {}
            index = self.cache_dir / "urls.tsv"
            if index.exists():
                for line in index.read_text(encoding="utf-8").splitlines():
                    parts = line.split("\t")
                    if len(parts) == 3:
                        self._known[parts[0]] = (parts[1], parts[2])
        return self._known

    def _fetch(self, ref: ImageRef) -> ImageRef:
        known = self._index().get(ref.uri)
        if known and (self.cache_dir / known[1]).is_file():
            target = self.cache_dir / known[1]
            why = self._check_file(target)
            if why is None:
                return ref.model_copy(update={"status": "ok", "sha256": known[0],
                                              "local_path": str(target)})
        if self._client is None:
            # trust_env=False: a proxy from the environment would reach addresses unchecked
            self._client = httpx.Client(follow_redirects=False, trust_env=False)
        try:
            data, ctype = self._get(ref.uri)
        except _Refused as exc:
            return self._fail(ref, exc.status, str(exc))
        except httpx.HTTPError as exc:
            return self._fail(ref, "broken", f"{type(exc).__name__}")
        why = check_image_bytes(data, self.policy.max_pixels)
        if why:
            return self._fail(ref, "broken", why)
        sha = hashlib.sha256(data).hexdigest()
        ext = ctype.split("/", 1)[1].split(";")[0].strip().replace("jpeg", "jpg") or "img"
        ext = "".join(c for c in ext if c.isalnum())[:5] or "img"
        name = f"{sha}.{ext}"
        target = self.cache_dir / name
        self.cache_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not target.exists():
            tmp = target.with_suffix(".part")
            tmp.write_bytes(data)
            os.replace(tmp, target)
        if "\t" not in ref.uri and "\n" not in ref.uri:
            with (self.cache_dir / "urls.tsv").open("a", encoding="utf-8") as fh:
                fh.write(f"{ref.uri}\t{sha}\t{name}\n")
        self._index()[ref.uri] = (sha, name)
        return ref.model_copy(update={"status": "ok", "sha256": sha, "local_path": str(target)})

    def _addresses(self, host: str, port: int, deadline: float) -> list[str]:
        """The checked addresses of ``host`` (refused unless all are public or it is allowed)."""
        try:
            literal: ipaddress.IPv4Address | ipaddress.IPv6Address | None = (
                ipaddress.ip_address(host))
        except ValueError:
            literal = None
        if literal is not None:
            found = [str(literal)]
        else:
            pool = ThreadPoolExecutor(max_workers=1)
            try:
                future = pool.submit(socket.getaddrinfo, host, port, 0, socket.SOCK_STREAM)
                infos = future.result(timeout=max(0.01, deadline - time.monotonic()))
            except FutureTimeout:
                raise _Refused("broken", "DNS lookup ran past the download deadline") from None
            except (OSError, UnicodeError):
                raise _Refused("broken", f"host {host!r} does not resolve") from None
            finally:
                pool.shutdown(wait=False)
            found = list(dict.fromkeys(str(info[4][0]) for info in infos))
        if host.lower() in self._allow:
            return found
        bad = [a for a in found if not is_public_address(ipaddress.ip_address(a.split("%")[0]))]
        if bad or not found:
            raise _Refused("broken", f"host {host!r} resolves to a non-public address "
                           f"({', '.join(bad[:3])}); downloads go to public addresses only "
                           "unless the host is allowed (ingest.download_allow_hosts)")
        return found

    def _get(self, url: str) -> tuple[bytes, str]:
        assert self._client is not None
        policy = self.policy
        deadline = time.monotonic() + policy.deadline_s
        for _hop in range(policy.max_redirects + 1):
            try:
                parts = httpx.URL(url)
            except (httpx.InvalidURL, ValueError):
                raise _Refused("broken", "not a valid URL") from None
            if parts.scheme not in ("http", "https"):
                raise _Refused("broken", f"redirected to scheme {parts.scheme!r}")
            if parts.userinfo:
                raise _Refused("broken", "URLs with credentials are not fetched")
            host = parts.host
            port = parts.port or (443 if parts.scheme == "https" else 80)
            addr = self._addresses(host, port, deadline)[0]
            target = parts.copy_with(host=addr)
            netloc = f"[{host}]" if ":" in host else host
            headers = {"Host": netloc if parts.port is None else f"{netloc}:{port}",
                       "Accept": "image/*"}
            extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
            left = deadline - time.monotonic()
            if left <= 0:
                raise _Refused("broken", f"download ran past its deadline of {policy.deadline_s} s")
            timeout = httpx.Timeout(min(policy.timeout_s, left))
            with self._client.stream("GET", target, headers=headers, extensions=extensions,
                                     timeout=timeout, follow_redirects=False) as resp:
                if resp.is_redirect and resp.headers.get("location"):
                    url = urljoin(str(parts), resp.headers["location"])
                    continue
                return self._body(resp, deadline)
        raise _Refused("broken", f"more than {policy.max_redirects} redirects")

    def _body(self, resp: httpx.Response, deadline: float) -> tuple[bytes, str]:
        policy = self.policy
        if resp.status_code == 404:
            raise _Refused("missing", "HTTP 404")
        if resp.status_code >= 300:
            raise _Refused("broken", f"HTTP {resp.status_code}")
        ctype = resp.headers.get("content-type", "").lower()
        if not ctype.startswith(policy.content_types):
            raise _Refused("broken", f"content type {ctype[:60] or 'missing'!r} is not an image")
        declared = resp.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > policy.max_bytes:
            raise _Refused("broken", f"{declared} bytes is over the cap")
        chunks: list[bytes] = []
        size = 0
        for chunk in resp.iter_bytes():
            size += len(chunk)
            if size > policy.max_bytes:
                raise _Refused("broken", f"body over the cap of {policy.max_bytes} bytes")
            if time.monotonic() > deadline:
                raise _Refused("broken", f"download ran past its deadline of {policy.deadline_s} s")
            chunks.append(chunk)
        return b"".join(chunks), ctype


class _Refused(Exception):
    def __init__(self, status: str, why: str) -> None:
        super().__init__(why)
        self.status = status
