"""HTTP benchmark: the public application POST against a minimal view, on gunicorn.

    DATABASE_URL=postgres://app:app@127.0.0.1:5432/app python bench/http_bench.py

Options: --workers 2, --threads 1 (more: gunicorn's gthread workers), --clients 8 (connections
at once for the peak), --requests 2000 (at most per measurement), --seconds 15 (at most per
measurement), --no-redis (tasks run inline and the rate-limit counters live in each worker's
memory, instead of Redis as in production).

It makes a scratch database (``<name>_http_bench``, dropped and made anew), migrates it, collects
the static files (production's manifest storage needs them) and seeds one steward with an offer,
a policy and the current terms. It then starts gunicorn on 127.0.0.1 (a free port) with the
production settings (a test secret, no https redirect, ``TRUSTED_PROXY_COUNT=1``) and measures,
with plain sockets to loopback only, each request on a new connection as gunicorn's sync
workers answer:

* the peak requests/s of ``GET /healthz`` (one database query), of the home page (a template,
  no query) and of the application POST, each with ``--clients`` connections at once, closed
  loop, for ``--requests`` requests (a quarter of that for the POST) or ``--seconds`` seconds
  in all, in five alternating slices so that whatever else runs on the machine weighs on each
  alike;
* the latency of each at half its peak, open loop (requests sent at a fixed rate whatever the
  answers), its median and 95th percentile.

Each simulated client fetched the form once and reuses its CSRF cookie and token. Each POST
comes, as the proxy would say in X-Forwarded-For, from its own address in 127.0.0.0/8 (the
header's contents only: every packet goes to 127.0.0.1), so no client reaches the rate limit,
with its own email, so none is refused as a duplicate. Every answer is checked (200 for
/healthz, 302 to the thank-you page for the POST); any other answer is counted and printed.

Goal (2 cores): the POST at least 0.15 of /healthz, its p95 at half its peak under 150 ms.
"""

import argparse
import asyncio
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from itertools import count
from pathlib import Path
from urllib.parse import quote_plus, urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HOST = "127.0.0.1"
ROUNDS = 5
SECRET = "http-bench-only-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
SLUG = "bench-steward"


def scratch_database(url: str) -> str:
    """Drop and create ``<name>_http_bench`` on the same server; return its URL."""
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/") + "_http_bench"
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(parsed._replace(path="/" + name))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def prepare(env: dict) -> dict:
    """Migrate, collect static files and seed, in this process with the server's settings;
    return what a client needs to fill the form."""
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from tests.factories import (
        PolicyFactory,
        ServiceLevelFactory,
        StewardAdminFactory,
        StewardFactory,
        StewardOfferFactory,
        TermsVersionFactory,
    )

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    PolicyFactory()
    terms = {
        document: TermsVersionFactory(document=document, version="1.0")
        for document in ("terms_of_use", "fair_use")
    }
    level = ServiceLevelFactory(code="small", name="Small")
    steward = StewardFactory(slug=SLUG, name="Bench Rooms", languages=["en"])
    StewardOfferFactory(steward=steward, service_level=level, capacity=1_000_000)
    StewardAdminFactory(email="admin@bench.example", stewards=[steward])
    fields = {
        "kind": "person",
        "name": "Bench Applicant",
        "organisation_name": "",
        "country": "ES",
        "language": "en",
        "type": "user",
        "service_level": str(level.pk),
        "website": "",
    }
    for document, version in terms.items():
        fields[f"accept_{document}"] = "on"
        fields[f"{document}_version"] = str(version.pk)
    connections.close_all()
    return fields


# --- one request, on its own connection ------------------------------------------------------


async def send(port: int, raw: bytes) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        writer.write(raw)
        await writer.drain()
        data = await reader.read()  # gunicorn's sync workers close after each answer
    finally:
        writer.close()
    status = int(data[9:12]) if data.startswith(b"HTTP/1.") else 0
    return status, data


def get_request(port: int, path: str) -> bytes:
    return (f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nConnection: close\r\n\r\n").encode()


class FormClient:
    """One visitor: fetched the form once, then posts it again and again, each time from its
    own address (X-Forwarded-For) and with its own email."""

    def __init__(self, port: int, fields: dict, number: int, addresses):
        self.port, self.fields, self.number, self.addresses = port, fields, number, addresses
        self.cookie = self.token = ""
        self.sent = count()

    async def fetch_form(self):
        status, data = await send(self.port, get_request(self.port, f"/apply/{SLUG}/"))
        if status != 200:
            raise SystemExit(f"GET /apply/{SLUG}/ answered {status}:\n{data[:2000]!r}")
        head, _, body = data.partition(b"\r\n\r\n")
        self.cookie = re.search(rb"csrftoken=([^;]+)", head).group(1).decode()
        self.token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
        self.token = self.token.decode()

    def request(self) -> bytes:
        n = next(self.sent)
        fields = {
            **self.fields,
            "email": f"c{self.number}-{n}@bench.example",
            "csrfmiddlewaretoken": self.token,
        }
        body = "&".join(f"{k}={quote_plus(v)}" for k, v in fields.items()).encode()
        return (
            f"POST /apply/{SLUG}/ HTTP/1.1\r\nHost: {HOST}:{self.port}\r\nConnection: close\r\n"
            f"Cookie: csrftoken={self.cookie}\r\nX-Forwarded-For: {next(self.addresses)}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body


def loopback_addresses():
    """127.0.1.0, 127.0.1.1, ...: as many distinct client addresses as the bench needs."""
    for n in count(256):
        yield f"127.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


# --- the two measurements ----------------------------------------------------------------------


class Result:
    def __init__(self):
        self.latencies: list[float] = []
        self.failures: dict[int, int] = {}
        self.sample = b""

    def record(self, started: float, status: int, expected: int, data: bytes):
        self.latencies.append(time.perf_counter() - started)
        if status != expected:
            self.failures[status] = self.failures.get(status, 0) + 1
            self.sample = self.sample or data[:1500]


async def peak(make_request, expected: int, result, *, clients: int, limit: int, seconds: float):
    """Closed loop: ``clients`` connections at once, each sending its next request when the
    previous one is answered, until ``limit`` requests or ``seconds``. Returns the seconds it
    took; the answers go into ``result``."""
    issued = count()
    deadline = time.perf_counter() + seconds

    async def loop(client):
        while next(issued) < limit and time.perf_counter() < deadline:
            started = time.perf_counter()
            status, data = await send(port_of[0], make_request(client))
            result.record(started, status, expected, data)

    start = time.perf_counter()
    await asyncio.gather(*(loop(c) for c in range(clients)))
    return time.perf_counter() - start


async def at_rate(make_request, expected: int, *, rate: float, limit: int, seconds: float):
    """Open loop: one request every 1/rate seconds, whatever the answers; latency counted
    from the moment each request was due."""
    result = Result()
    total = max(1, min(limit, int(rate * seconds)))
    start = time.perf_counter()

    async def one(i):
        due = start + i / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        status, data = await send(port_of[0], make_request(i))
        result.record(due, status, expected, data)

    await asyncio.gather(*(one(i) for i in range(total)))
    return result


def p95(values):
    return statistics.quantiles(values, n=100)[94] if len(values) >= 20 else max(values)


port_of = [0]


async def measure(port: int, fields: dict, args) -> dict:
    port_of[0] = port
    addresses = loopback_addresses()
    health = get_request(port, "/healthz")
    home = get_request(port, "/")
    clients = [FormClient(port, fields, n, addresses) for n in range(args.clients)]
    for client in clients:
        await client.fetch_form()

    def health_request(_):
        return health

    def home_request(_):
        return home

    def post_request(i):
        return clients[i % len(clients)].request()

    # Warm up: every worker has imported everything and holds its database connection.
    for make, expected in ((health_request, 200), (home_request, 200), (post_request, 302)):
        await peak(make, expected, Result(), clients=args.clients, limit=60, seconds=5)

    # The peaks, measured in alternating slices, so that whatever else the machine is doing
    # weighs on all of them alike and their ratio holds.
    series = (
        ("GET /healthz", health_request, 200, args.requests),
        ("GET / (home page)", home_request, 200, args.requests),
        ("POST /apply/<steward>/", post_request, 302, max(200, args.requests // 4)),
    )
    results = {name: Result() for name, *_ in series}
    elapsed = dict.fromkeys(results, 0.0)
    for _round in range(ROUNDS):
        for name, make, expected, limit in series:
            elapsed[name] += await peak(
                make,
                expected,
                results[name],
                clients=args.clients,
                limit=limit // ROUNDS,
                seconds=args.seconds / ROUNDS,
            )
    out = {}
    for name, make, expected, limit in series:
        rps = len(results[name].latencies) / elapsed[name]
        half = await at_rate(make, expected, rate=rps / 2, limit=limit, seconds=args.seconds)
        out[name] = (rps, results[name], half)
    return out


def report(out: dict, args) -> bool:
    ok = True
    kind = "sync" if args.threads == 1 else f"gthread ({args.threads} threads each)"
    print(f"\ngunicorn, {args.workers} {kind} workers, PostgreSQL; {args.clients} clients at once")
    print(f"{'':26} {'peak req/s':>11} {'p50 ms':>8} {'p95 ms':>8}   at half the peak")
    for name, (rps, result, half) in out.items():
        print(
            f"{name:26} {rps:11.1f} {statistics.median(half.latencies) * 1000:8.1f} "
            f"{p95(half.latencies) * 1000:8.1f}   ({len(result.latencies)} + "
            f"{len(half.latencies)} requests)"
        )
        for failures in (result.failures, half.failures):
            if failures:
                ok = False
                print(f"  unexpected answers: {failures}\n  {result.sample or half.sample!r}")
    (health, *_), (home, *_), (post, _, post_half) = out.values()
    ratio, post_p95 = post / health, p95(post_half.latencies) * 1000
    print(
        f"\nPOST / healthz: {ratio:.3f} (goal: at least 0.15); POST / home page: {post / home:.3f}"
    )
    print(f"POST p95 at half its peak: {post_p95:.1f} ms (goal: under 150 ms)")
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--no-redis", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit(
            "Set DATABASE_URL to a PostgreSQL database (a scratch one is made beside it)."
        )

    env = {
        "DJANGO_SETTINGS_MODULE": "meetcoop.settings.production",
        "DJANGO_SECRET_KEY": SECRET,
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": scratch_database(url),
        "REDIS_URL": ""
        if args.no_redis
        else os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
        "TRUSTED_PROXY_COUNT": "1",
        "DJANGO_LOG_LEVEL": "WARNING",
        "EMAIL_URL": "",
    }
    fields = prepare(env)
    port = free_port()
    log = open(tempfile.mkstemp(prefix="http-bench-gunicorn-", suffix=".log")[1], "w")  # noqa: SIM115
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "meetcoop.wsgi:application",
            f"--bind={HOST}:{port}",
            f"--workers={args.workers}",
            f"--threads={args.threads}",
            "--backlog=2048",
            *control_socket_off(),
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(300):
            try:
                with socket.create_connection((HOST, port), timeout=1):
                    break
            except OSError:
                if server.poll() is not None:
                    raise SystemExit(f"gunicorn stopped; see {log.name}") from None
                time.sleep(0.1)
        out = asyncio.run(measure(port, fields, args))
    finally:
        server.terminate()
        server.wait(timeout=30)
        if env["REDIS_URL"]:
            forget_queued_tasks(env["REDIS_URL"])
    ok = report(out, args)
    print(f"(gunicorn's log: {log.name})")
    sys.exit(0 if ok else 1)


def control_socket_off() -> list[str]:
    """gunicorn 24+ opens a control socket at a fixed path by default; two servers (this one
    and another on the machine) would share it."""
    import gunicorn.config

    names = {setting.name for setting in gunicorn.config.KNOWN_SETTINGS}
    return ["--no-control-socket"] if "control_socket_disable" in names else []


def forget_queued_tasks(redis_url: str):
    """The tasks the POSTs queued (no worker runs here): drop them with the bench's keys."""
    import redis

    client = redis.Redis.from_url(redis_url)
    client.delete("celery", *client.keys("_kombu.binding*"), *client.keys(":1:rl:*"))


if __name__ == "__main__":
    main()
