"""A large import applies through the real worker while other users browse and save: on SQLite,
with gunicorn and `db_worker` as separate processes, no request fails ("database is locked")."""

from __future__ import annotations

import os
import threading
import time
from io import BytesIO

import pytest
from openpyxl import Workbook

from tests.cast import PASSWORD
from tests.jobs.live import Browser, Stack, find

ROWS = int(os.environ.get("LOAD_TEST_ROWS", "10000"))

SEED = """
from tests.cast import build_cast
from tests.ledgers import factories as f
cast = build_cast()
for i in range(30):
    f.person(cast.other_community, name=f"西华居民{i}")
"""


def persons_file(rows: int) -> bytes:
    from ledgers.demo import make_id_number

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("人员")
    ws.append(["户编号", "与户主关系", "姓名*", "身份证号*", "联系电话", "住址", "有劳动能力", "有就业愿望"])
    for i in range(rows):
        ws.append([f"H{i // 3:06d}", "户主" if i % 3 == 0 else "家庭成员", f"居民{i}", make_id_number(i)[0],
                   f"138{i:08d}", f"和平路{i % 300}号", "是", "是"])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def stack(tmp_path):
    stack = Stack(tmp_path)
    stack.manage("migrate", "--noinput", "-v", "0")
    stack.manage("shell", "-c", SEED)
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


def test_an_import_applies_while_others_browse_and_save(stack):
    importer = Browser(stack.url)
    importer.login("t_operator", PASSWORD)
    status, page = importer.request("/ledgers/import/", {"kind": "persons", "csrfmiddlewaretoken": importer._csrf()},
                                    files={"file": ("人员.xlsx", persons_file(ROWS))})
    assert status == 200, page[:500]
    import_id = find(r"/ledgers/import/(\d+)/$", importer.last_url)
    detail = f"/ledgers/import/{import_id}/"

    def wait_for(text: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            _, body = importer.request(detail)
            if text in body:
                return body
            time.sleep(1)
        raise AssertionError(f"{text} not shown in {timeout} s")

    wait_for(">已预检<", 300)
    stop = threading.Event()
    others = {"editor": Browser(stack.url), "reviewer": Browser(stack.url), "street": Browser(stack.url)}
    others["editor"].login("t_outsider", PASSWORD)
    others["reviewer"].login("t_county", PASSWORD)
    others["street"].login("t_street", PASSWORD)
    saved = []

    def edit(user: Browser) -> None:
        n = 0
        while not stop.is_set():
            n += 1
            user.request("/ledgers/households/new/")
            status, _ = user.request("/ledgers/households/new/", {
                "code": f"NEW{n}", "head_name": f"新户{n}", "address": "西华路1号", "helper": "",
                "csrfmiddlewaretoken": user._csrf()})
            if status == 200 and "/ledgers/households/new/" not in user.last_url:
                saved.append(n)
            user.request("/ledgers/persons/")
            user.request("/")

    def browse(user: Browser, paths: list[str]) -> None:
        while not stop.is_set():
            for path in paths:
                user.request(path)

    threads = [
        threading.Thread(target=edit, args=(others["editor"],)),
        threading.Thread(target=browse, args=(others["reviewer"], ["/", "/ledgers/", "/ledgers/persons/",
                                                                   "/evaluations/", "/jobs/"])),
        threading.Thread(target=browse, args=(others["street"], ["/", "/ledgers/households/", "/healthz"])),
    ]
    for t in threads:
        t.start()
    try:
        time.sleep(2)
        status, _ = importer.request(f"/ledgers/import/{import_id}/apply/", {"csrfmiddlewaretoken": importer._csrf()})
        assert status == 200
        wait_for(">已导入<", 300)
        time.sleep(1)
    finally:
        stop.set()
        for t in threads:
            t.join(60)
    failures = [f for user in [importer, *others.values()] for f in user.failures()]
    assert failures == []
    requests = sum(len(user.log) for user in others.values())
    assert requests > 20 and len(saved) > 3
    body = others["editor"].request("/ledgers/households/")[1]
    assert "database is locked" not in body
    counts = stack.manage("shell", "-c", "from ledgers.models import Person; print(Person.objects.count())")
    assert int(counts.strip().splitlines()[-1]) == ROWS + 30
