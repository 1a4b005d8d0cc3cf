"""The zh-TW catalog: complete, compiled, and found by JupyterLab's translation loader."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import i18n  # noqa: E402

ZH_TW = ROOT / "jupyter_primehub_models" / "locale" / "zh_TW" / "LC_MESSAGES"


def test_every_ui_string_is_extracted() -> None:
    messages = {m for m, _ in i18n.extract()}
    assert len(messages) > 100
    # spot checks across files, including a string prettier split over lines
    assert {"Deploy", "Registered At", "+ Create new deployment", "Deployed By"} <= messages
    assert "Connected to MLflow at %1" in messages


def test_every_string_has_a_zh_tw_translation() -> None:
    translated = i18n.read_po(ZH_TW / "jupyter_primehub_models.po")
    missing = [m for m, _ in i18n.extract() if not any(translated.get(m, []))]
    assert missing == [], "untranslated (run scripts/i18n.py update, translate, compile)"


def test_placeholders_survive_translation() -> None:
    for msgid, strings in i18n.read_po(ZH_TW / "jupyter_primehub_models.po").items():
        for text in strings:
            for n in ("%1", "%2"):
                assert (n in msgid) == (n in text), (msgid, text)


def test_compiled_catalog_is_current() -> None:
    on_disk = json.loads((ZH_TW / "jupyter_primehub_models.json").read_text(encoding="utf-8"))
    assert on_disk == i18n.catalog(ZH_TW / "jupyter_primehub_models.po"), (
        "run: python scripts/i18n.py compile"
    )
    assert on_disk["Registered At"] == ["登錄日期時間"]  # the seed page's own words


def test_jupyterlab_finds_the_catalog() -> None:
    translation_utils = pytest.importorskip("jupyterlab_server.translation_utils")
    found, message = translation_utils.get_installed_packages_locale("zh_TW")
    assert message.strip() == ""
    assert found["jupyter_primehub_models"]["Models"] == ["模型"]
