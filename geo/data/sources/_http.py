"""The one HTTP layer every online source uses.

A `HttpClient` wraps a `requests.Session` with

* timeouts (connect, read) on every request;
* urllib3 `Retry` with exponential backoff on connection errors and on 429/500/502/503/504,
  honouring ``Retry-After`` (capped at `RETRY_AFTER_MAX_S`, so a server cannot park us for
  an hour);
* a User-Agent naming the project and a contact (Nominatim's usage policy requires one);
* a response cache on disk keyed by a hash of method, URL, parameters and body – secret
  parameters (API keys, tokens) and auth headers are never part of the key nor stored; a
  body is cached only after the caller's parser accepted it (`fetch_parsed`, `fetch_json`)
  and only when it holds no known secret in any common encoding (plain, URL-encoded, JSON
  string, hex, base64), so an echoed key or a malformed answer is never kept or reused;
* an optional per-host rate limiter (Nominatim: at most one request per second);
* one place that turns every fault into a `SourceError` with a Danish message naming the
  source and what to do, with all secrets redacted.

Secrets come only from environment variables or a mapping passed in (the app passes
Streamlit secrets); see `get_secret`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from geo.errors import SourceError

#: Default cache folder; override with the environment variable below.
DEFAULT_CACHE_DIR = Path("~/.cache/klyngested/http")
ENV_CACHE_DIR = "KLYNGESTED_CACHE_DIR"
#: Extra contact text for the User-Agent (e.g. an e-mail address), for Nominatim's policy.
ENV_CONTACT = "KLYNGESTED_CONTACT"
PROJECT_URL = "https://github.com/klyngested/klyngested"
DEFAULT_CONTACT = "kontakt via " + PROJECT_URL + "/issues"
#: Timeouts in seconds: (connect, read). A refused or unroutable connection fails fast.
CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 60.0
RETRY_STATUSES = (429, 500, 502, 503, 504)
RETRY_TOTAL = 3
BACKOFF_FACTOR = 1.0
#: Longest wait honoured from a Retry-After header; beyond it we wait this long, then give up.
RETRY_AFTER_MAX_S = 120.0
#: Query parameters treated as secrets: removed from cache keys, URLs in messages and logs.
SECRET_PARAMS = frozenset({"apikey", "api_key", "token", "key", "password", "secret",
                           "access_token", "client_secret"})
DEFAULT_TTL_S = 24 * 3600.0
#: Encoded forms of a secret shorter than this are not searched for (too many false hits).
MIN_SECRET_FORM = 6
T = TypeVar("T")
_SECRET_IN_URL = re.compile(r"(?i)\b(" + "|".join(sorted(SECRET_PARAMS)) + r")=[^&\s\"']*")


class _RedactSecretParams(logging.Filter):
    """urllib3 logs each request line at DEBUG; strip secret query values before any handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _SECRET_IN_URL.sub(r"\1=***", record.getMessage())
        record.args = ()
        return True


logging.getLogger("urllib3.connectionpool").addFilter(_RedactSecretParams())


def user_agent() -> str:
    """'Klyngested/0.1 (+https://github.com/…; kontakt …)'; contact from KLYNGESTED_CONTACT."""
    contact = os.environ.get(ENV_CONTACT, "").strip() or DEFAULT_CONTACT
    return f"Klyngested/0.1 (+{PROJECT_URL}; {contact})"


def cache_dir() -> Path:
    """The HTTP cache folder: $KLYNGESTED_CACHE_DIR or ~/.cache/klyngested/http."""
    value = os.environ.get(ENV_CACHE_DIR, "").strip()
    return Path(value).expanduser() if value else DEFAULT_CACHE_DIR.expanduser()


def get_secret(name: str, secrets: Mapping[str, Any] | None = None) -> str | None:
    """A key from the passed mapping (e.g. Streamlit secrets) or the environment; None if unset."""
    if secrets is not None:
        value = secrets.get(name)
        if value:
            return str(value).strip() or None
    value = os.environ.get(name, "").strip()
    return value or None


def endpoint(name: str, default: str) -> str:
    """Endpoint URL, overridable by the environment variable KLYNGESTED_<NAME>_URL (for tests)."""
    return os.environ.get(f"KLYNGESTED_{name.upper()}_URL", "").strip() or default


def strip_secret_params(url: str) -> str:
    """The URL with secret query parameters (apiKey, token, …) removed."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k.lower() not in SECRET_PARAMS]
    return urlunsplit(parts._replace(query=urlencode(query)))


def encoded_forms(secret: str) -> set[str]:
    """The secret as it may appear in a body or a message: plain, URL-encoded, as a JSON
    string, hex (both cases) and base64 (standard and URL-safe, also the part that survives
    inside a longer base64 text at any of the three byte alignments)."""
    raw = secret.encode("utf-8")
    forms = {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1],
             raw.hex(), raw.hex().upper()}
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        forms.add(encode(raw).decode("ascii").rstrip("="))
        for shift in (0, 1, 2):
            text = encode(b"\x00" * shift + raw).decode("ascii")
            # keep the 4-character groups made of secret bytes only: the first group also
            # holds the bytes before it (when shift > 0), the last may hold the bytes after
            forms.add(text[4 if shift else 0:(shift + len(raw)) // 3 * 4])
    return {f for f in forms if len(f) >= MIN_SECRET_FORM}


class CappedRetry(Retry):
    """urllib3 Retry that honours Retry-After but never waits longer than `RETRY_AFTER_MAX_S`."""

    def parse_retry_after(self, retry_after: str) -> float:
        return min(super().parse_retry_after(retry_after), RETRY_AFTER_MAX_S)


def make_retry(total: int = RETRY_TOTAL, backoff: float = BACKOFF_FACTOR) -> Retry:
    """The retry policy shared by all sources (POST included: our POSTs are read queries)."""
    return CappedRetry(
        total=total,
        connect=min(total, 1),
        read=total,
        status=total,
        backoff_factor=backoff,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET", "POST", "HEAD"}),
        respect_retry_after_header=True,
        raise_on_status=False,
    )


def make_session(retry: Retry | None = None) -> requests.Session:
    """A requests Session with the project's User-Agent and retry policy mounted."""
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry if retry is not None else make_retry())
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = user_agent()
    return session


class RateLimiter:
    """At most one call per `min_interval_s` seconds (thread-safe); clock and sleep injectable."""

    def __init__(
        self,
        min_interval_s: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.min_interval_s = min_interval_s
        self._clock = clock
        self._sleep = sleep
        self._last: float | None = None
        self._lock = threading.Lock()

    def wait(self) -> None:
        """Block until the next call is allowed, then record it."""
        with self._lock:
            now = self._clock()
            if self._last is not None:
                delay = self._last + self.min_interval_s - now
                if delay > 0:
                    self._sleep(delay)
                    now = self._clock()
            self._last = now


class HttpClient:
    """Session + disk cache + Danish error messages; see the module docstring.

    Parameters
    ----------
    cache_path
        Cache folder; default `cache_dir()`. ``use_cache=False`` disables reading (writes stay).
    secrets
        Secret values to redact from every message (keys are added automatically when a
        request passes them via `secret_params` or `auth`).
    timeout
        (connect, read) seconds.
    """

    def __init__(
        self,
        cache_path: Path | None = None,
        use_cache: bool = True,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = (CONNECT_TIMEOUT_S, READ_TIMEOUT_S),
        secrets: Iterable[str] = (),
    ) -> None:
        self.cache_path = Path(cache_path) if cache_path is not None else cache_dir()
        self.use_cache = use_cache
        self.session = session or make_session()
        self.timeout = timeout
        self._secrets: set[str] = {s for s in secrets if s}
        #: Requests answered from the network / from the cache (for reports and tests).
        self.network_calls = 0
        self.cache_hits = 0

    # --- secrets -------------------------------------------------------------------
    def add_secret(self, value: str | None) -> None:
        """Register a value to redact from messages."""
        if value:
            self._secrets.add(value)

    def _forms(self) -> list[str]:
        """Every encoded form of every known secret, longest first."""
        forms = {f for secret in self._secrets for f in encoded_forms(secret)}
        return sorted(forms | self._secrets, key=len, reverse=True)

    def redact(self, text: str) -> str:
        """`text` with every known secret (in any `encoded_forms`) and every secret query
        parameter replaced by ***."""
        for form in self._forms():
            text = text.replace(form, "***")
        names = "|".join(re.escape(n) for n in SECRET_PARAMS)
        return re.sub(rf"(?i)\b({names})=[^&\s'\"]*", r"\1=***", text)

    def holds_secret(self, content: bytes) -> bool:
        """True if the bytes contain a known secret in any of its `encoded_forms`."""
        return any(form.encode("utf-8") in content for form in self._forms())

    # --- cache ---------------------------------------------------------------------
    @staticmethod
    def cache_key(method: str, url: str, params: Mapping[str, Any] | None,
                  body: bytes | None) -> str:
        """sha256 of method, URL and params without secrets, and the body. No headers."""
        clean = {k: str(v) for k, v in (params or {}).items() if k.lower() not in SECRET_PARAMS}
        digest = hashlib.sha256()
        for part in (method.upper(), strip_secret_params(url),
                     json.dumps(clean, sort_keys=True, ensure_ascii=False)):
            digest.update(part.encode("utf-8") + b"\x00")
        digest.update(body or b"")
        return digest.hexdigest()

    def _cache_file(self, key: str) -> Path:
        return self.cache_path / key[:2] / f"{key}.json"

    def _cache_read(self, key: str, ttl_s: float) -> bytes | None:
        path = self._cache_file(key)
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            if time.time() - float(record["time"]) > ttl_s:
                return None
            return bytes.fromhex(record["content"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _cache_write(self, key: str, url: str, content: bytes) -> None:
        path = self._cache_file(key)
        record = {"time": time.time(), "url": self.redact(strip_secret_params(url)),
                  "content": content.hex()}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".tmp{os.getpid()}")
            tmp.write_text(json.dumps(record), encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            pass  # a cache that cannot be written only costs speed

    # --- requests ------------------------------------------------------------------
    def fetch(self, source: str, method: str, url: str, **kwargs: Any) -> bytes:
        """The body of a successful request, from the cache when fresh; see `fetch_parsed`."""
        return self.fetch_parsed(source, method, url, _identity, **kwargs)

    def fetch_json(self, source: str, method: str, url: str,
                   parse: Callable[[Any], Any] | None = None, **kwargs: Any) -> Any:
        """`fetch`, decode JSON and hand the document to `parse` (which raises `SourceError`
        for a document of the wrong shape); returns what `parse` returns (else the document).

        Only a body that decoded and parsed is cached; a truncated or non-JSON body gives a
        Danish `SourceError`.
        """
        def decode(content: bytes) -> Any:
            try:
                doc = json.loads(content.decode("utf-8-sig"))
            except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
                raise self._error(source, "sendte et svar, der ikke er gyldig JSON (afbrudt eller "
                                  "ændret format). Prøv igen senere", None) from None
            return parse(doc) if parse is not None else doc

        return self.fetch_parsed(source, method, url, decode, **kwargs)

    def fetch_parsed(
        self,
        source: str,
        method: str,
        url: str,
        parse: Callable[[bytes], T],
        *,
        params: Mapping[str, Any] | None = None,
        secret_params: Mapping[str, str] | None = None,
        json_body: Any = None,
        data: str | bytes | None = None,
        headers: Mapping[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        key_hint: str = "",
        cache: bool = True,
        ttl_s: float = DEFAULT_TTL_S,
        rate_limiter: RateLimiter | None = None,
        timeout: tuple[float, float] | None = None,
        auth_hints: Mapping[str, str] | None = None,
    ) -> T:
        """`parse(body)` of a successful request, from the cache when fresh enough.

        `source` names the source in Danish messages; `key_hint` names the environment
        variable(s) to check on 401/403; `auth_hints` maps an error code the service writes in
        a 401/403 body (e.g. 'DAF-AUTH-0005') to the Danish cause to tell instead.
        `secret_params` are sent but never cached or shown.
        `parse` raises `SourceError` for a body of the wrong shape: such a body is never
        cached, and a cached body it refuses (kept by an older version) is dropped and
        fetched again – so a failing service is reported as failing, not hidden by the cache.
        A body holding a known secret is returned but not cached.

        Raises
        ------
        SourceError
            No network/DNS, timeout, 401/403, 429 after waiting, 5xx after retries,
            a truncated body, a body `parse` refuses, or any other HTTP error – in Danish,
            with secrets redacted.
        """
        self._register(secret_params, auth)
        body = _request_body(json_body, data)
        key = self.cache_key(method, url, params, body)
        if cache and self.use_cache:
            hit = self._cache_read(key, ttl_s)
            if hit is not None:
                try:
                    value = parse(hit)
                except SourceError:
                    self._cache_file(key).unlink(missing_ok=True)
                else:
                    self.cache_hits += 1
                    return value
        if rate_limiter is not None:
            rate_limiter.wait()
        send_headers = dict(headers or {})
        if json_body is not None:
            send_headers.setdefault("Content-Type", "application/json")
        content = self._send(source, method, url, {**(params or {}), **(secret_params or {})},
                             body, send_headers, auth, key_hint, timeout or self.timeout, auth_hints)
        value = parse(content)
        if cache and not self.holds_secret(content):
            self._cache_write(key, url, content)
        return value

    def _register(self, secret_params: Mapping[str, str] | None, auth: tuple[str, str] | None) -> None:
        for value in (secret_params or {}).values():
            self.add_secret(value)
        if auth is not None:
            self.add_secret(auth[0])
            self.add_secret(auth[1])
            self.add_secret(base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode())

    def _send(self, source: str, method: str, url: str, params: Mapping[str, Any],
              body: bytes | None, headers: Mapping[str, str], auth: tuple[str, str] | None,
              key_hint: str, timeout: tuple[float, float],
              auth_hints: Mapping[str, str] | None = None) -> bytes:
        """One request over the network; every fault becomes a Danish `SourceError`."""
        try:
            self.network_calls += 1
            response = self.session.request(method, url, params=params or None, data=body,
                                            headers=headers, auth=auth, timeout=timeout)
            content = response.content
        except requests.exceptions.ConnectTimeout as exc:
            raise self._error(source, "kunne ikke nås inden for tidsgrænsen (timeout ved "
                              "forbindelse). Tjek netværket, eller prøv igen senere",
                              exc) from None
        except requests.exceptions.ReadTimeout as exc:
            raise self._error(source, "svarede ikke inden for tidsgrænsen (timeout). "
                              "Prøv igen senere", exc) from None
        except requests.exceptions.RetryError as exc:
            raise self._error(source, "blev ved med at svare med fejl (for mange forsøg). "
                              "Prøv igen senere", exc) from None
        except (requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError) as exc:
            raise self._error(source, "sendte et afbrudt eller ufuldstændigt svar. "
                              "Prøv igen", exc) from None
        except requests.exceptions.ConnectionError as exc:
            raise self._error(source, "kunne ikke nås (intet netværk, DNS-fejl eller "
                              "forbindelsen blev afvist). Tjek internetforbindelsen", exc) from None
        except requests.exceptions.RequestException as exc:
            raise self._error(source, "kunne ikke hentes", exc) from None
        self._check_status(source, response, content, key_hint, auth_hints)
        return content

    def _check_status(self, source: str, response: requests.Response, content: bytes,
                      key_hint: str, auth_hints: Mapping[str, str] | None = None) -> None:
        status = response.status_code
        if status in (401, 403):
            known = next((text for code, text in (auth_hints or {}).items()
                          if code.encode() in content[:8192]), None)
            if known:
                raise self._error(source, f"afviste adgangen (HTTP {status}): {known}", None)
            what = f"Tjek nøglen i {key_hint}" if key_hint else "Tjek adgangen"
            raise self._error(source, f"afviste adgangen (HTTP {status}: forkert eller manglende "
                              f"nøgle/adgang). {what}", None)
        if status == 429:
            wait = response.headers.get("Retry-After", "")
            when = f" om {wait} sekunder" if wait.strip().isdigit() else " senere"
            raise self._error(source, f"svarede 'for mange forespørgsler' (HTTP 429) også efter "
                              f"at have ventet som anvist. Prøv igen{when}", None)
        if status >= 500:
            raise self._error(source, f"har serverfejl (HTTP {status}) efter {RETRY_TOTAL} nye "
                              "forsøg. Prøv igen senere", None)
        if status >= 400:
            raise self._error(source, f"afviste forespørgslen (HTTP {status}): "
                              f"{content[:200].decode('utf-8', 'replace')}", None)
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > len(content) and "Content-Encoding" not in \
                response.headers:
            raise self._error(source, "sendte et afbrudt svar (for få bytes). Prøv igen", None)

    def _error(self, source: str, what: str, exc: BaseException | None) -> SourceError:
        detail = f" ({type(exc).__name__}: {exc})" if exc is not None else ""
        da = self.redact(f"{source} {what}.")
        en = self.redact(f"{source}: request failed: {what}{detail}")
        return SourceError(da, en)


def _identity(content: bytes) -> bytes:
    return content


def _request_body(json_body: Any, data: str | bytes | None) -> bytes | None:
    """The bytes sent (and hashed into the cache key): canonical JSON, or the data as given."""
    if json_body is not None:
        return json.dumps(json_body, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return data.encode("utf-8") if isinstance(data, str) else data


def probe(url: str, timeout_s: float = 3.0) -> bool:
    """True if a TCP/TLS connection to the URL's host can be opened quickly (any HTTP status)."""
    session = requests.Session()
    session.mount("http://", HTTPAdapter(max_retries=0))
    session.mount("https://", HTTPAdapter(max_retries=0))
    parts = urlsplit(url)
    try:
        session.head(f"{parts.scheme}://{parts.netloc}/", timeout=(timeout_s, timeout_s),
                     allow_redirects=False)
    except requests.exceptions.ConnectionError:
        return False
    except requests.exceptions.RequestException:
        return True
    return True
