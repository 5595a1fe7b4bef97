"""End to end on the loopback fediverse lab (../shared/peers): Pouet served by gunicorn
with TLS as ours.test (and a second Pouet as ours2.test) federating with the Fedify peer
carol@fedify.test. Skipped when the lab cannot run here (no node/npm, not root); one lab
per machine, so a run holding the lock makes others skip rather than collide."""

import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

from tests.federation.conftest import SHARED

ROOT = Path(__file__).resolve().parents[2]
LAB = SHARED / "peers" / "lab"
LAB_DIR = Path(os.environ.get("POUET_LAB_DIR", "/tmp/pouet-lab"))
SERVERS = {"ours.test": "127.0.0.2", "ours2.test": "127.0.0.3"}
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def _lab_unavailable() -> str:
    if os.environ.get("POUET_SKIP_LAB"):
        return "POUET_SKIP_LAB is set"
    if not LAB.exists():
        return "no ../shared/peers/lab"
    if not (shutil.which("node") and shutil.which("npm") and shutil.which("openssl")):
        return "the lab needs node, npm and openssl"
    if os.geteuid() != 0:
        return "the lab needs root (/etc/hosts, port 443)"
    return ""


pytestmark = pytest.mark.skipif(bool(_lab_unavailable()), reason=_lab_unavailable() or "lab")


class Pouet:
    """One Pouet server process with its own SQLite database."""

    def __init__(self, domain: str, ip: str, env: dict, workdir: Path):
        self.domain, self.ip, self.workdir = domain, ip, workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.env = {
            **env, "LOCAL_DOMAIN": domain, "ALLOW_PRIVATE_ADDRESSES": "true", "TASKS_INLINE": "true",
            "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}", "MEDIA_ROOT": str(workdir / "media"),
            "SECRET_KEY": f"lab-{domain}", "REDIS_URL": "", "DEBUG": "false",
            "DJANGO_SETTINGS_MODULE": "config.settings", "LOG_LEVEL": "DEBUG",
        }
        self.env.pop("PYTEST_CURRENT_TEST", None)
        (workdir / "db.sqlite3").unlink(missing_ok=True)
        self.manage("migrate", "-v0")
        # DEBUG is off, as in production: pages need the collected static files' manifest.
        self.manage("collectstatic", "--noinput", "-v0")
        self.process = None

    def manage(self, *args) -> str:
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env,
                                capture_output=True, text=True, timeout=300)
        if result.returncode:
            raise AssertionError(f"manage.py {args[0]} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def run(self, code: str):
        """Run Python in the server's environment; it prints one JSON line, returned parsed."""
        out = self.manage("shell", "-c", code)
        return json.loads(out.strip().splitlines()[-1])

    def start(self, ca: Path):
        gunicorn = Path(sys.executable).with_name("gunicorn")
        log = open(self.workdir / "server.log", "w")
        self.process = subprocess.Popen(
            [str(gunicorn), "config.wsgi", "--bind", f"{self.ip}:443", "--certfile", str(ca / "server.pem"),
             "--keyfile", str(ca / "server.key"), "--workers", "2", "--threads", "4",
             "--keep-alive", "75", "--access-logfile", "-"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(f"https://{self.domain}/.well-known/nodeinfo", timeout=2).ok:
                    return
            except requests.RequestException:
                time.sleep(0.3)
        raise AssertionError((self.workdir / "server.log").read_text()[-3000:])

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)


@pytest.fixture(scope="module")
def lab():
    LAB_DIR.mkdir(parents=True, exist_ok=True)
    lock = open(LAB_DIR.parent / "pouet-lab.lock", "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        pytest.skip("another test run holds the lab")
    up = subprocess.run([str(LAB), "up", str(LAB_DIR)], capture_output=True, text=True, timeout=600)
    if up.returncode:
        # The lab's own set-up (hosts file, CA, npm install) could not run here: that is the
        # machine's state, not a federation failure.
        lock.close()
        pytest.skip(f"lab up failed: {up.stderr[-500:]}")
    out = up.stdout
    exports = dict(line[7:].split("=", 1) for line in out.splitlines() if line.startswith("export "))
    saved = {k: os.environ.get(k) for k in exports}
    os.environ.update(exports)  # this process's requests trust the lab CA too
    env = {**os.environ, **exports}
    ca = LAB_DIR / "ca"
    servers = {}
    try:
        for domain, ip in SERVERS.items():
            servers[domain] = Pouet(domain, ip, env, LAB_DIR / domain)
            servers[domain].run(
                "import json; from tests.factories import make_local_account; "
                "[make_local_account(u) for u in ('alice', 'bob')]; print(json.dumps(1))"
            )
            servers[domain].start(ca)
        subprocess.run([str(LAB), "peer", "start", str(LAB_DIR), "fedify.test", "127.0.0.4"],
                       check=True, capture_output=True, env=env, timeout=120)
        # The second peer is the awkward one: RFC 9421 signatures first, Accepts with the
        # whole actors embedded, delivered before the POST of our Follow has returned.
        quirky = {**env, "FIRST_KNOCK": "rfc9421", "ACCEPT_SHAPE": "embedded", "INBOX_SYNC": "1"}
        subprocess.run([str(LAB), "peer", "start", str(LAB_DIR), "fedify2.test", "127.0.0.5"],
                       check=True, capture_output=True, env=quirky, timeout=120)
        yield servers
    finally:
        for peer in ("fedify.test", "fedify2.test"):
            subprocess.run([str(LAB), "peer", "stop", str(LAB_DIR), peer], capture_output=True)
        for server in servers.values():
            server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        lock.close()


def control(path, body=None, method=None, peer="fedify.test"):
    url = f"https://{peer}/_control/{path}"
    response = requests.request(method or ("POST" if body is not None else "GET"), url, json=body, timeout=30)
    response.raise_for_status()
    return response.json() if response.content else None


def eventually(check, timeout=20):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.3)


def peer_log(kind):
    return control(f"log?type={kind}")


QUERY_PRELUDE = (
    "import json\n"
    "from accounts.models import Account, Follow, FollowRequest, Notification\n"
    "from statuses.models import Status\n"
    "alice = Account.objects.get(username='alice', domain=None)\n"
)


def test_lab_fedify_follows_us_and_gets_our_posts(lab):
    ours = lab["ours.test"]
    control("follow", {"target": "acct:alice@ours.test"})
    assert eventually(lambda: [a for a in peer_log("Accept") if a["actor"] == "https://ours.test/users/alice"])
    assert ours.run(QUERY_PRELUDE + "print(json.dumps(Follow.objects.filter(target_account=alice, "
                    "account__uri='https://fedify.test/users/carol').exists()))")
    ours.run(QUERY_PRELUDE + "from statuses.services import status_create\n"
             "status_create(author=alice, text='Hello from Pouet #lab')\n"
             "status_create(author=alice, text='only for followers', visibility='private')\n"
             "print(json.dumps(1))")
    creates = eventually(lambda: [c for c in peer_log("Create")
                                  if c["actor"] == "https://ours.test/users/alice"], timeout=20)
    contents = {c["json"]["object"]["content"] for c in creates}
    assert any("Hello from Pouet" in c for c in contents)
    assert any("only for followers" in c for c in contents)
    assert control("state")["errors"] == []


def test_lab_we_follow_fedify_and_read_replies(lab):
    ours = lab["ours.test"]
    follow = ours.run(
        QUERY_PRELUDE + "from accounts.services import follow_request\n"
        "from federation.services.actors import account_resolve_acct\n"
        "carol = account_resolve_acct('carol@fedify.test')\n"
        "follow_request(follower=alice, target=carol)\n"
        "import time; time.sleep(1)\n"
        "print(json.dumps(Follow.objects.filter(account=alice, target_account=carol).exists()))"
    )
    assert follow or eventually(lambda: ours.run(
        QUERY_PRELUDE + "print(json.dumps(Follow.objects.filter(account=alice, "
        "target_account__uri='https://fedify.test/users/carol').exists()))"))
    note = control("note", {"content": "<p>Hi Pouet <script>alert(1)</script></p>"})
    seen = eventually(lambda: ours.run(
        QUERY_PRELUDE + f"s = Status.objects.filter(uri={note['note']!r}).first()\n"
        "print(json.dumps(s and s.content))"))
    assert seen and "Hi Pouet" in seen and "script" not in seen
    # On alice's home timeline (the feed is the database query of the embedded default).
    home = ours.run(
        QUERY_PRELUDE + "from statuses.feeds import home_filter\n"
        "from statuses.permissions import visible_statuses\n"
        "qs = visible_statuses(alice, Status.objects.filter(home_filter(alice)))\n"
        f"print(json.dumps(qs.filter(uri={note['note']!r}).exists()))")
    assert home
    # Alice replies; carol receives the reply in her thread.
    ours.run(QUERY_PRELUDE + "from statuses.services import status_create\n"
             f"parent = Status.objects.get(uri={note['note']!r})\n"
             "status_create(author=alice, text='@carol@fedify.test welcome!', in_reply_to=parent)\n"
             "print(json.dumps(1))")
    replies = eventually(lambda: [c for c in peer_log("Create")
                                  if c["json"]["object"].get("inReplyTo") == note["note"]])
    assert replies


def test_lab_followers_only_and_direct_from_fedify(lab):
    ours = lab["ours.test"]
    private = control("note", {"content": "for my followers", "visibility": "followers"})
    direct = control("note", {"content": "just you", "visibility": "direct", "to": "acct:bob@ours.test"})
    found = eventually(lambda: ours.run(
        QUERY_PRELUDE + "from statuses.permissions import is_visible_to\n"
        "bob = Account.objects.get(username='bob', domain=None)\n"
        f"p = Status.objects.filter(uri={private['note']!r}).first()\n"
        f"d = Status.objects.filter(uri={direct['note']!r}).first()\n"
        "print(json.dumps(p and d and [p.visibility, is_visible_to(p, alice), is_visible_to(p, bob), "
        "is_visible_to(p, None), d.visibility, is_visible_to(d, bob), is_visible_to(d, alice)]))"))
    assert found == ["private", True, False, False, "direct", True, False]


def test_lab_signed_fetches_of_our_documents(lab):
    lab["ours.test"].run(QUERY_PRELUDE + "from statuses.services import status_create\n"
                         "s = status_create(author=alice, text='fetch me')\n"
                         "print(json.dumps(1))")
    actor = control("lookup", {"target": "acct:alice@ours.test"})
    assert actor["id"] == "https://ours.test/users/alice"


def test_lab_pouet_to_pouet(lab):
    ours, ours2 = lab["ours.test"], lab["ours2.test"]
    # bob@ours2.test follows alice@ours.test, then alice posts and bob sees it.
    followed = ours2.run(
        "import json\nfrom accounts.models import Account, Follow\n"
        "from accounts.services import follow_request\n"
        "from federation.services.actors import account_resolve_acct\n"
        "bob = Account.objects.get(username='bob', domain=None)\n"
        "alice = account_resolve_acct('alice@ours.test')\n"
        "follow_request(follower=bob, target=alice)\n"
        "print(json.dumps(Follow.objects.filter(account=bob, target_account=alice).exists()))")
    # alice's Accept may come a moment after the Follow's POST has returned.
    assert followed or eventually(lambda: ours2.run(
        "import json\nfrom accounts.models import Follow\n"
        "print(json.dumps(Follow.objects.filter(account__username='bob', account__domain=None, "
        "target_account__uri='https://ours.test/users/alice').exists()))"))
    ours.run(QUERY_PRELUDE + "from statuses.services import status_create\n"
             "status_create(author=alice, text='hello ours2 @bob@ours2.test')\n"
             "print(json.dumps(1))")
    got = eventually(lambda: ours2.run(
        "import json\nfrom statuses.models import Status\nfrom accounts.models import Notification\n"
        "s = Status.objects.filter(account__domain='ours.test', content__contains='hello ours2').first()\n"
        "n = Notification.objects.filter(type='mention', account__username='bob').exists()\n"
        "print(json.dumps(bool(s) and n))"))
    assert got


def test_lab_quirky_peer_rfc9421_and_immediate_embedded_accept(lab):
    ours = lab["ours.test"]
    log = ours.workdir / "server.log"
    start = log.stat().st_size
    followed = ours.run(
        QUERY_PRELUDE + "from accounts.services import follow_request\n"
        "from federation.services.actors import account_resolve_acct\n"
        "carol = account_resolve_acct('carol@fedify2.test')\n"
        "follow_request(follower=alice, target=carol)\n"
        "print(json.dumps(Follow.objects.filter(account=alice, target_account=carol).exists()))")
    assert followed or eventually(lambda: ours.run(
        QUERY_PRELUDE + "print(json.dumps(Follow.objects.filter(account=alice, "
        "target_account__uri='https://fedify2.test/users/carol').exists()))"))
    control("follow", {"target": "acct:bob@ours.test"}, peer="fedify2.test")
    assert eventually(lambda: control("log?type=Accept", peer="fedify2.test"))
    note = control("note", {"content": "signed the new way"}, peer="fedify2.test")
    assert eventually(lambda: ours.run(
        QUERY_PRELUDE + f"print(json.dumps(Status.objects.filter(uri={note['note']!r}).exists()))"))
    # The RFC 9421 signatures verified at the first knock: our inbox never answered 401.
    written = log.read_text()[start:]
    assert "RFC 9421 signature verified for https://fedify2.test/users/carol" in written
    posts = [line for line in written.splitlines() if '"POST /inbox' in line]
    assert posts and not [line for line in posts if '" 401 ' in line]


def test_lab_pouet_to_pouet_interactions(lab):
    """After test_lab_pouet_to_pouet (bob@ours2 follows alice@ours): boost, favourite,
    edit, delete, followers-only, profile update and block, each seen on the other side."""
    ours, ours2 = lab["ours.test"], lab["ours2.test"]
    ours2.run(
        "import json\nfrom accounts.models import Account\nfrom accounts.services import follow_request\n"
        "from federation.services.actors import account_resolve_acct\n"
        "bob = Account.objects.get(username='bob', domain=None)\n"
        "follow_request(follower=bob, target=account_resolve_acct('alice@ours.test'))\n"
        "print(json.dumps(1))")
    post = ours.run(
        QUERY_PRELUDE + "from statuses.services import status_create\n"
        "s = status_create(author=alice, text='interact with me')\n"
        "p = status_create(author=alice, text='followers of alice only', visibility='private')\n"
        "print(json.dumps([s.activitypub_id, p.activitypub_id]))")
    uri, private_uri = post
    prelude2 = ("import json\nfrom accounts.models import Account, Notification\n"
                "from statuses.models import Status\n"
                "bob = Account.objects.get(username='bob', domain=None)\n")
    seen = eventually(lambda: ours2.run(
        prelude2 + f"print(json.dumps(list(Status.objects.filter(uri__in=[{uri!r}, {private_uri!r}])"
        ".values_list('visibility', flat=True).order_by('visibility'))))"))
    assert seen == ["private", "public"]
    ours2.run(prelude2 + "from statuses.services import favourite_create, reblog_create\n"
              f"s = Status.objects.get(uri={uri!r})\n"
              "reblog_create(account=bob, status=s)\nfavourite_create(account=bob, status=s)\n"
              "print(json.dumps(1))")
    notified = eventually(lambda: ours.run(
        QUERY_PRELUDE + "print(json.dumps(sorted(Notification.objects.filter(account=alice, "
        "from_account__domain='ours2.test').values_list('type', flat=True))))"))
    assert {"favourite", "reblog"} <= set(notified)
    ours.run(QUERY_PRELUDE + "from statuses.services import status_edit\n"
             "from accounts.services import profile_update\n"
             f"s = Status.objects.get(pk=int({uri!r}.rsplit('/', 1)[1]))\n"
             "status_edit(status=s, by=alice, text='interact with me (edited)')\n"
             "profile_update(account=alice, display_name='Alice of ours')\n"
             "print(json.dumps(1))")
    assert eventually(lambda: ours2.run(
        prelude2 + f"s = Status.objects.get(uri={uri!r})\n"
        "a = Account.objects.get(username='alice', domain='ours.test')\n"
        "print(json.dumps('edited' in s.content and a.display_name == 'Alice of ours'))"))
    ours.run(QUERY_PRELUDE + "from statuses.services import status_delete\n"
             f"s = Status.objects.get(pk=int({uri!r}.rsplit('/', 1)[1]))\n"
             "status_delete(status=s, by=alice)\nprint(json.dumps(1))")
    assert eventually(lambda: ours2.run(
        prelude2 + f"print(json.dumps(not Status.objects.filter(uri={uri!r}).exists()))"))
    ours.run(QUERY_PRELUDE + "from accounts.services import block_create\n"
             "block_create(account=alice, target=Account.objects.get(username='bob', domain='ours2.test'))\n"
             "print(json.dumps(1))")
    assert eventually(lambda: ours2.run(
        prelude2 + "from accounts.models import Block, Follow\n"
        "a = Account.objects.get(username='alice', domain='ours.test')\n"
        "print(json.dumps(Block.objects.filter(account=a, target_account=bob).exists() and "
        "not Follow.objects.filter(account=bob, target_account=a).exists()))"))


def test_lab_fedify_follows_a_locked_account(lab):
    ours = lab["ours.test"]
    ours.run("import json\nfrom accounts.models import Account\n"
             "from accounts.services import profile_update\n"
             "profile_update(account=Account.objects.get(username='bob', domain=None), locked=True)\n"
             "print(json.dumps(1))")
    control("follow", {"target": "acct:bob@ours.test"})
    pending = eventually(lambda: ours.run(
        "import json\nfrom accounts.models import FollowRequest\n"
        "print(json.dumps(FollowRequest.objects.filter(target_account__username='bob', "
        "target_account__domain=None, account__uri='https://fedify.test/users/carol').exists()))"))
    assert pending
    assert "https://ours.test/users/bob" not in control("state")["following"]
    ours.run("import json\nfrom accounts.models import FollowRequest\n"
             "from accounts.services import follow_accept\n"
             "follow_accept(follow_request=FollowRequest.objects.get(target_account__username='bob', "
             "account__uri='https://fedify.test/users/carol'))\nprint(json.dumps(1))")
    assert eventually(lambda: "https://ours.test/users/bob" in control("state")["following"])


def test_lab_account_deletion_pouet_to_pouet(lab):
    """A local account followed from ours2 is deleted on ours: on ours2 it disappears with
    its posts and the follow."""
    ours, ours2 = lab["ours.test"], lab["ours2.test"]
    ours.run("import json\nfrom tests.factories import make_local_account\n"
             "make_local_account('dora')\nprint(json.dumps(1))")
    prelude2 = ("import json\nfrom accounts.models import Account, Follow\n"
                "from statuses.models import Status\n"
                "bob = Account.objects.get(username='bob', domain=None)\n")
    ours2.run(prelude2 + "from accounts.services import follow_request\n"
              "from federation.services.actors import account_resolve_acct\n"
              "follow_request(follower=bob, target=account_resolve_acct('dora@ours.test'))\n"
              "print(json.dumps(1))")
    assert eventually(lambda: ours2.run(
        prelude2 + "print(json.dumps(Follow.objects.filter(account=bob, "
        "target_account__uri='https://ours.test/users/dora').exists()))"))
    uri = ours.run("import json\nfrom accounts.models import Account\n"
                   "from statuses.services import status_create\n"
                   "dora = Account.objects.get(username='dora', domain=None)\n"
                   "print(json.dumps(status_create(author=dora, text='dora was here').activitypub_id))")
    assert eventually(lambda: ours2.run(
        prelude2 + f"print(json.dumps(Status.objects.filter(uri={uri!r}).exists()))"))

    ours.manage("accounts", "delete", "dora", "--reason", "asked to leave")

    gone = eventually(lambda: ours2.run(
        prelude2 + "dora = Account.objects.get(uri='https://ours.test/users/dora')\n"
        "print(json.dumps(dora.suspended_at is not None and not Status.objects.filter(account=dora).exists()"
        " and not Follow.objects.filter(target_account=dora).exists()))"))
    assert gone
    assert eventually(lambda: ours2.run(
        prelude2 + f"print(json.dumps(not Status.objects.filter(uri={uri!r}).exists()))"))


class _Forms(HTMLParser):
    """The forms of a page: action and the values a browser would submit unchanged."""

    def __init__(self):
        super().__init__()
        self.forms, self._select, self._textarea = [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action") or "", "fields": {}})
        elif not self.forms:
            return
        fields = self.forms[-1]["fields"]
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "file"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                fields[a["name"]] = a.get("value") or ""
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and (self._select not in fields or "selected" in a):
            fields[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a.get("name")
            fields[self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1]["fields"][self._textarea] += data


def submit(session, response, action_ends_with, **values):
    """Submit the form of `response` whose action ends so (as a browser does: its hidden
    fields and CSRF token, the page as Referer), with `values` typed in."""
    parser = _Forms()
    parser.feed(response.text)
    form = next(f for f in parser.forms if urlsplit(urljoin(response.url, f["action"])).path.endswith(
        action_ends_with))
    action = urljoin(response.url, form["action"]) if form["action"] else response.url
    return session.post(action, data={**form["fields"], **values}, headers={"Referer": response.url},
                        timeout=60)


def test_lab_acceptance_through_the_web_ui(lab):
    """Issue 3's acceptance, as a user does it in a browser on ours.test: log in, find
    @carol@fedify.test, follow her, read her note on Home, reply; carol follows back and
    receives the next post."""
    from tests.factories import PASSWORD

    ours = lab["ours.test"]
    ours.run("import json\nfrom tests.factories import make_local_account\n"
             "make_local_account('uma')\nprint(json.dumps(1))")
    browser = requests.Session()
    browser.verify = os.environ["REQUESTS_CA_BUNDLE"]
    site = "https://ours.test"

    login = browser.get(f"{site}/home", timeout=30)
    assert urlsplit(login.url).path == "/auth/sign_in"  # sent to log in first
    home = submit(browser, login, "/auth/sign_in", username="uma", password=PASSWORD)
    assert home.ok and urlsplit(home.url).path == "/home"

    found = browser.get(f"{site}/search", params={"q": "@carol@fedify.test"}, timeout=60)
    assert found.ok and "carol@fedify.test" in found.text
    followed = submit(browser, found, "/@carol@fedify.test/follow")
    assert followed.ok
    uma_prelude = ("import json\nfrom accounts.models import Account, Follow\n"
                   "from statuses.models import Status\n"
                   "uma = Account.objects.get(username='uma', domain=None)\n")
    assert eventually(lambda: ours.run(
        uma_prelude + "print(json.dumps(Follow.objects.filter(account=uma, "
        "target_account__uri='https://fedify.test/users/carol').exists()))"))

    note = control("note", {"content": "<p>Carol greets the Pouet people</p>"})
    assert eventually(lambda: "Carol greets the Pouet people" in browser.get(f"{site}/home", timeout=30).text)
    local_id = ours.run(uma_prelude + f"print(json.dumps(Status.objects.get(uri={note['note']!r}).pk))")
    home = browser.get(f"{site}/home", timeout=30)
    reply_link = f"/compose?in_reply_to={local_id}"
    assert reply_link in home.text
    compose = browser.get(urljoin(site, reply_link), timeout=30)
    sent = submit(browser, compose, "/compose", text="@carol@fedify.test lovely to meet you")
    assert sent.ok
    replies = eventually(lambda: [c for c in peer_log("Create")
                                  if c["actor"] == f"{site}/users/uma"
                                  and c["json"]["object"].get("inReplyTo") == note["note"]])
    assert replies and "lovely to meet you" in replies[0]["json"]["object"]["content"]

    control("follow", {"target": "acct:uma@ours.test"})
    assert eventually(lambda: [a for a in peer_log("Accept") if a["actor"] == f"{site}/users/uma"])
    compose = browser.get(f"{site}/compose", timeout=30)
    assert submit(browser, compose, "/compose", text="Second post, for my new follower").ok
    assert eventually(lambda: [c for c in peer_log("Create") if c["actor"] == f"{site}/users/uma"
                               and "Second post" in c["json"]["object"]["content"]])


def test_lab_move_pouet_to_pouet(lab):
    """alice@ours moves to alice2@ours2 (which names her as an alias): fred@ours2 and
    dave@ours, her followers, end up following alice2; both servers know she moved."""
    from tests.factories import PASSWORD

    ours, ours2 = lab["ours.test"], lab["ours2.test"]
    prelude2 = ("import json\nfrom accounts.models import Account, Follow, FollowRequest\n"
                "from tests.factories import make_local_account\n")
    ours2.run(prelude2 + "from accounts.services import follow_request\n"
              "from federation.services.actors import account_resolve_acct\n"
              "make_local_account('alice2')\nfred = make_local_account('fred')\n"
              "follow_request(follower=fred, target=account_resolve_acct('alice@ours.test'))\n"
              "print(json.dumps(1))")
    ours.run(QUERY_PRELUDE + "from accounts.services import follow_request\n"
             "from tests.factories import make_local_account\n"
             "follow_request(follower=make_local_account('dave'), target=alice)\nprint(json.dumps(1))")
    assert eventually(lambda: ours.run(
        QUERY_PRELUDE + "print(json.dumps(Follow.objects.filter(target_account=alice, "
        "account__uri='https://ours2.test/users/fred').exists()))"))
    ours2.run(prelude2 + "from accounts.moves import alias_create\n"
              "alice2 = Account.objects.get(username='alice2', domain=None)\n"
              "alias_create(account=alice2, acct='alice@ours.test')\n"
              "print(json.dumps(1))")

    moved = ours.run(QUERY_PRELUDE + "from accounts.moves import account_move\n"
                     f"print(json.dumps(account_move(account=alice, acct='alice2@ours2.test', "
                     f"password={PASSWORD!r}).uri))")
    assert moved == "https://ours2.test/users/alice2"

    assert eventually(lambda: ours2.run(
        prelude2 + "alice2 = Account.objects.get(username='alice2', domain=None)\n"
        "old = Account.objects.get(uri='https://ours.test/users/alice')\n"
        "fred = Account.objects.get(username='fred', domain=None)\n"
        "print(json.dumps(old.moved_to_account_id == alice2.pk and "
        "Follow.objects.filter(account=fred, target_account=alice2).exists() and "
        "not Follow.objects.filter(account=fred, target_account=old).exists()))"))
    assert eventually(lambda: ours.run(
        QUERY_PRELUDE + "dave = Account.objects.get(username='dave', domain=None)\n"
        "print(json.dumps(Follow.objects.filter(account=dave, "
        "target_account__uri='https://ours2.test/users/alice2').exists() and "
        "not Follow.objects.filter(account=dave, target_account=alice).exists()))"))
    actor = requests.get("https://ours.test/users/alice", headers={"Accept": "application/activity+json"},
                         timeout=30).json()
    assert actor["movedTo"] == "https://ours2.test/users/alice2"
    assert "has moved to" in requests.get("https://ours.test/@alice", timeout=30).text
