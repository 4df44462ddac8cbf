"""An admin uses the console in a real browser (Debian's Chromium, headless, through
Selenium and Debian's chromedriver): signs in, reads the dashboard's plots, filters the
question log, turns a question into an evaluation question, tries a question. A screenshot
of each page goes to the test output directory (HOIDAP_TEST_OUTPUT, default test-output/)."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as shown
from selenium.webdriver.support.ui import WebDriverWait

from bot.follows import followed_of
from bot.store import LogFilter
from bot.study import make_questions, material
from evaluation.runner import load_questions
from tests.bot.web.conftest import OUTPUT, PASSWORD, Console, signed_in

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    assert Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists(), (
        "Chromium and chromedriver are needed: `make browser-tools` installs them"
    )
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    options.add_argument("--window-size=1280,1100")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


def wait_for(driver: WebDriver, css: str):
    return WebDriverWait(driver, 30).until(
        shown.presence_of_element_located((By.CSS_SELECTOR, css))
    )


def result_saying(browser: WebDriver, words: str):
    """The page's result message once it holds `words` (the page before may still show)."""
    wait = WebDriverWait(browser, 60, ignored_exceptions=[StaleElementReferenceException])
    return wait.until(
        lambda d: (r := d.find_elements(By.ID, "ket-qua")) and words in r[0].text and r[0]
    )


def sign_in(browser: WebDriver, console: Console, page: str = "/") -> None:
    """Sign in afresh, as an admin who opened the console at `page`."""
    browser.delete_all_cookies()
    browser.get(console.url + page)
    field = wait_for(browser, "#mat_khau")
    browser.save_screenshot(str(OUTPUT / "dang-nhap.png"))
    field.send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, ".sign-in button").click()
    wait_for(browser, "header nav")


def test_the_dashboard_shows_the_index_and_plots(browser: WebDriver, console: Console) -> None:
    sign_in(browser, console)
    assert browser.find_element(By.TAG_NAME, "h1").text == "Tổng quan"
    snap = console.service.answerer.snapshot()
    assert browser.find_element(By.ID, "so-bai").text == str(len(snap.articles))
    assert browser.find_element(By.ID, "so-doan").text == str(len(snap.chunks))
    charts = browser.find_elements(By.CSS_SELECTOR, "svg.chart")
    assert len(charts) == 4  # per day, latency, declines by reason, 👎 by reason
    answered = browser.find_elements(By.CSS_SELECTOR, "svg.chart rect.answered")
    declined = browser.find_elements(By.CSS_SELECTOR, "svg.chart rect.declined")
    assert answered and declined  # today's bars
    assert browser.find_elements(By.CSS_SELECTOR, "svg.chart circle.median_ms")
    assert "sai nguồn" in browser.page_source  # the 👎 given with its reason
    browser.save_screenshot(str(OUTPUT / "tong-quan.png"))


def test_the_question_log_filters_and_a_question_becomes_an_eval_question(
    browser: WebDriver, console: Console
) -> None:
    sign_in(browser, console, "/cau-hoi")
    rows = browser.find_elements(By.CSS_SELECTOR, "tr.entry")
    assert len(rows) == 4
    browser.find_element(By.NAME, "khong_thay").click()
    browser.find_element(By.CSS_SELECTOR, "form.filters button").click()
    WebDriverWait(browser, 30).until(lambda d: "khong_thay=1" in d.current_url)
    declined = browser.find_elements(By.CSS_SELECTOR, "tr.entry")
    assert 1 <= len(declined) < 4
    assert all(
        "không tìm thấy" in r.find_element(By.CSS_SELECTOR, "td.status").text for r in declined
    )
    browser.save_screenshot(str(OUTPUT / "cau-hoi-loc.png"))

    browser.get(console.url + "/cau-hoi")
    first = console.question_ids[0]  # Quy định 03's date, answered
    row = wait_for(browser, f"#q{first}")
    row.find_element(By.TAG_NAME, "summary").click()
    assert "10/9/2018" in row.find_element(By.CSS_SELECTOR, ".answer").text
    assert row.find_element(By.CSS_SELECTOR, ".sources li").text.startswith("[1]")
    row.find_element(By.NAME, "answers").send_keys("10/9/2018")
    browser.save_screenshot(str(OUTPUT / "cau-hoi-mo.png"))
    row.find_element(By.CSS_SELECTOR, "form.to-eval button").click()
    notice = wait_for(browser, ".notice")
    assert f"Đã thêm câu hỏi {first}" in notice.text
    questions, problems = load_questions(console.eval_file)
    assert problems == []
    (added,) = [q for q in questions if q.id == f"console-{first}"]
    assert added.answers == ("10/9/2018",) and added.gold_doc_ids


def test_trying_a_question_shows_the_answer_passages_and_timings(
    browser: WebDriver, console: Console
) -> None:
    sign_in(browser, console, "/thu-hoi")
    asked_before = console.service.store.log(LogFilter())[1]
    box = browser.find_element(By.NAME, "cau_hoi")
    box.send_keys("quy dinh 03 cua thanh uy lao cai ban hanh ngay nao")
    browser.find_element(By.CSS_SELECTOR, "form.ask button").click()
    answer = wait_for(browser, "#tra-loi")
    assert "10/9/2018" in answer.text
    assert browser.find_elements(By.CSS_SELECTOR, "table.passages tbody tr")
    assert "total_ms" in browser.find_element(By.CSS_SELECTOR, ".timings").text
    browser.save_screenshot(str(OUTPUT / "thu-hoi.png"))
    assert console.service.store.log(LogFilter())[1] == asked_before  # not in members' log


def test_the_log_exports_as_csv_for_a_spreadsheet(console: Console) -> None:
    with signed_in(console) as admin:
        response = admin.get("/cau-hoi.csv", params={"khong_thay": "1"})
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["id", "thời điểm", "kênh", "người hỏi", "câu hỏi"]
    assert len(rows) > 1 and all(r[6] == "không tìm thấy" for r in rows[1:])


UPLOADED = """Huyện ủy Bát Xát ra Nghị quyết 88-NQ/HU về xây dựng chi bộ bốn tốt

Ngày 12/3/2025, Huyện ủy Bát Xát ban hành Nghị quyết số 88-NQ/HU về xây dựng chi bộ bốn tốt \
trong các thôn, bản, phấn đấu đến năm 2027 có 90% chi bộ đạt tiêu chí bốn tốt.

Nghị quyết giao Ban Xây dựng Đảng Huyện ủy hướng dẫn các chi bộ đăng ký tiêu chí từ quý II \
năm 2025 và sơ kết việc thực hiện vào cuối năm.
"""


def test_an_admin_uploads_adds_by_link_and_removes_articles(
    browser: WebDriver, console: Console, tmp_path: Path
) -> None:
    from tests.web_site import NEW_TITLE, FakeSite

    sign_in(browser, console, "/tai-lieu")
    before = len(console.service.answerer.snapshot().articles)
    assert browser.find_element(By.ID, "so-bai").text.startswith(f"{before} bài")
    browser.save_screenshot(str(OUTPUT / "tai-lieu.png"))

    upload = tmp_path / "nghi-quyet-88.txt"
    upload.write_text(UPLOADED, encoding="utf-8")
    browser.find_element(By.NAME, "tep").send_keys(str(upload))
    browser.find_element(By.CSS_SELECTOR, "form.upload button").click()
    result_saying(browser, "thêm: Huyện ủy Bát Xát ra Nghị quyết 88-NQ/HU")
    assert browser.find_elements(By.ID, "bai-nghi-quyet-88")
    browser.save_screenshot(str(OUTPUT / "tai-lieu-tai-len.png"))
    answer = console.service.answerer.answer("Nghị quyết 88-NQ/HU phấn đấu đến năm 2027 thế nào?")
    assert "90% chi bộ" in answer.text  # searchable as soon as the page says so

    with FakeSite() as site:
        box = browser.find_element(By.NAME, "lien_ket")
        box.send_keys(site.url("/bai-viet/so-tay-dang-vien.html"))
        browser.find_element(By.CSS_SELECTOR, "form.link button").click()
        result = result_saying(browser, "Đã thêm bài")
        assert NEW_TITLE in result.text
        browser.find_element(By.NAME, "lien_ket").send_keys(site.url("/trang-chu"))
        browser.find_element(By.CSS_SELECTOR, "form.link button").click()
        refused = result_saying(browser, "Không thêm")
        assert "không có nội dung bài viết" in refused.text
    browser.save_screenshot(str(OUTPUT / "tai-lieu-lien-ket.png"))

    row = browser.find_element(By.ID, "bai-nghi-quyet-88")
    row.find_element(By.TAG_NAME, "summary").click()
    row.find_element(By.CSS_SELECTOR, "button.remove").click()
    result_saying(browser, "Đã xoá bài “Huyện ủy Bát Xát ra Nghị quyết 88-NQ/HU")
    assert not browser.find_elements(By.ID, "bai-nghi-quyet-88")
    assert len(console.service.answerer.snapshot().articles) == before + 1  # the linked one


def test_a_reindex_runs_in_the_background_and_says_how_it_ended(
    browser: WebDriver, seed_data_dir: Path, tmp_path: Path, embedder
) -> None:
    from tests.bot.web.conftest import running_console
    from tests.conftest import CORPUS

    shutil.copytree(CORPUS, tmp_path / "corpus")  # the corpus dir a re-index reads
    with running_console(seed_data_dir, tmp_path, embedder) as other:
        sign_in(browser, other, "/tai-lieu")
        browser.find_element(By.CSS_SELECTOR, "form.reindex button").click()
        WebDriverWait(browser, 30).until(lambda d: d.current_url.endswith("/tai-lieu/tien-do"))
        browser.save_screenshot(str(OUTPUT / "lap-chi-muc.png"))
        ended = result_saying(browser, "5 bài")
        assert ended.text.startswith(("Đã lập lại chỉ mục", "Chỉ mục không đổi"))
        browser.save_screenshot(str(OUTPUT / "lap-chi-muc-xong.png"))
        assert len(other.service.answerer.snapshot().articles) == 5


def test_the_register_of_documents_lists_what_articles_mention(
    browser: WebDriver, console: Console
) -> None:
    sign_in(browser, console, "/van-ban")
    row = wait_for(browser, "#so-05-CT-TW")
    assert row.text.startswith("Chỉ thị 05-CT/TW")
    assert "đẩy mạnh học tập và làm theo tư tưởng" in row.text
    browser.save_screenshot(str(OUTPUT / "van-ban.png"))
    search = browser.find_element(By.NAME, "tim")
    search.send_keys("quy dinh 03")
    browser.find_element(By.CSS_SELECTOR, "form.filters button").click()
    WebDriverWait(browser, 30).until(lambda d: "tim=quy" in d.current_url)
    rows = browser.find_elements(By.CSS_SELECTOR, "table.register tbody tr")
    assert rows and all("Quy định" in r.text for r in rows)


def test_the_members_page_shows_follows_and_study_results(
    browser: WebDriver, console: Console
) -> None:
    service = console.service
    snap = service.answerer.snapshot()
    followed = followed_of("Chỉ thị 05", snap)
    assert followed is not None
    service.follows.follow("telegram", "501", "501", followed)
    service.follows.follow("zalo", "z502", "z502", followed)
    found = material(snap, service.answerer.searcher, "Chỉ thị 05")
    assert found is not None
    asked = service.study.start(
        "telegram", "501", "501", found.subject, make_questions(snap, found, 1)
    )
    for _ in range(asked.total):
        current = service.study.active("telegram", "501", "501")
        assert current is not None
        service.study.answer("telegram", "501", "501", None, current.question.correct)

    sign_in(browser, console, "/thanh-vien")
    rows = [r.text for r in browser.find_elements(By.CSS_SELECTOR, "table.followed tbody tr")]
    assert "Chỉ thị 05-CT/TW văn bản 2" in rows
    subjects = browser.find_element(By.CSS_SELECTOR, "table.subjects tbody tr").text
    assert subjects == "Chỉ thị 05-CT/TW 1 1 100%"
    result = browser.find_element(By.CSS_SELECTOR, "table.results tbody tr").text
    assert "501" in result and f"{asked.total}/{asked.total} câu đúng (làm hết)" in result
    browser.save_screenshot(str(OUTPUT / "thanh-vien.png"))
    with signed_in(console) as client:
        exported = client.get("/thanh-vien/on-tap.csv")
    table = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert table[0][:3] == ["lượt", "bắt đầu", "kênh"] and table[1][4] == "Chỉ thị 05-CT/TW"


def test_an_evaluation_runs_in_the_background_and_its_report_opens(
    browser: WebDriver, console: Console
) -> None:
    sign_in(browser, console, "/danh-gia")
    assert "Chưa có lần đánh giá nào." in browser.page_source
    browser.find_element(By.CSS_SELECTOR, "form.run-eval button").click()
    done = result_saying(browser, "Đã đánh giá ba_cau_qa.jsonl")
    name = done.text.split("báo cáo ", 1)[1].rstrip(".")
    row = browser.find_element(By.ID, f"lan-{name}")
    assert "ba_cau_qa.jsonl" in row.text and "3" in row.text
    figures = [td.text for td in row.find_elements(By.TAG_NAME, "td")[4:]]
    assert figures[0] not in ("", "—")  # R@10 of the run
    browser.save_screenshot(str(OUTPUT / "danh-gia.png"))
    row.find_element(By.TAG_NAME, "a").click()
    WebDriverWait(browser, 30).until(lambda d: d.current_url.endswith("/bao-cao"))
    assert "ba_cau_qa.jsonl" in browser.page_source
    browser.save_screenshot(str(OUTPUT / "danh-gia-bao-cao.png"))
