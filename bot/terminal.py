"""The terminal chat: the same engine as the bots, one question per line."""

from __future__ import annotations

import sys
from typing import TextIO

from bot.render import plain_text
from index.errors import BadQuestion, HoidapError
from retrieval.answering import MAX_QUESTION_CHARS, Answerer

WELCOME = (
    "Hỏi đáp về chỉ thị, nghị quyết của Đảng. Gõ câu hỏi rồi nhấn Enter; "
    "Ctrl-D hoặc Ctrl-C để thoát."
)
GOODBYE = "Tạm biệt!"


def chat(answerer: Answerer, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    """Read questions until end of input or Ctrl-C; print cited answers."""
    interactive = stdin.isatty()
    print(WELCOME, file=stdout)
    try:
        while True:
            if interactive:
                print("\nBạn: ", end="", file=stdout, flush=True)
            line = stdin.readline()
            if not line:
                break
            question = line.strip()
            if not question:
                continue
            try:
                reply = plain_text(answerer.answer(question))
            except BadQuestion:
                reply = f"Câu hỏi quá dài, xin viết ngắn gọn dưới {MAX_QUESTION_CHARS} ký tự."
            except HoidapError as exc:
                reply = f"Xin lỗi, hệ thống đang gặp sự cố: {exc}"
            print(f"\nHỏi đáp: {reply}", file=stdout, flush=True)
    except KeyboardInterrupt:
        pass
    print(f"\n{GOODBYE}", file=stdout)
    return 0
