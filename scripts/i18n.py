"""The lab extension's gettext catalogs: extract the strings, compile the translations.

    python scripts/i18n.py extract   # labextension/src → locale/jupyter_primehub_models.pot
    python scripts/i18n.py update    # add new strings to each language's .po (untranslated)
    python scripts/i18n.py compile   # each .po → the .json JupyterLab loads

JupyterLab finds the catalogs through the ``jupyterlab.locale`` entry point (pyproject):
``jupyter_primehub_models/locale/<lang>/LC_MESSAGES/jupyter_primehub_models.json``.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "labextension" / "src"
LOCALE = ROOT / "jupyter_primehub_models" / "locale"
DOMAIN = "jupyter_primehub_models"
POT = LOCALE / f"{DOMAIN}.pot"

_LITERAL = r"""('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
CALL = re.compile(rf"\btrans\.(__|_n|_p)\(\s*{_LITERAL}(?:\s*,\s*{_LITERAL})?", re.S)
PLURAL_FORMS = {"zh_TW": "nplurals=1; plural=0;"}


def _js_string(literal: str) -> str:
    """A JS string literal (single or double quoted) → its text."""
    body = literal[1:-1]
    if literal[0] == "'":
        body = body.replace("\\'", "'").replace('"', '\\"')
    return ast.literal_eval(f'"{body}"')


def extract() -> list[tuple[str, str | None]]:
    """(msgid, msgid_plural) in first-seen order, from every .ts/.tsx source."""
    seen: dict[tuple[str, str | None], None] = {}
    for path in sorted(SOURCES.rglob("*.ts*")):
        for match in CALL.finditer(path.read_text(encoding="utf-8")):
            kind, first, second = match.groups()
            msgid = _js_string(first)
            plural = _js_string(second) if kind == "_n" and second else None
            seen.setdefault((msgid, plural), None)
    return list(seen)


def _po_quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def write_pot(messages: list[tuple[str, str | None]]) -> None:
    lines = [
        'msgid ""',
        'msgstr ""',
        '"Content-Type: text/plain; charset=UTF-8\\n"',
        "",
    ]
    for msgid, plural in messages:
        lines.append(f"msgid {_po_quote(msgid)}")
        if plural is None:
            lines.append('msgstr ""')
        else:
            lines += [f"msgid_plural {_po_quote(plural)}", 'msgstr[0] ""']
        lines.append("")
    POT.parent.mkdir(parents=True, exist_ok=True)
    POT.write_text("\n".join(lines), encoding="utf-8")


def read_po(path: Path) -> dict[str, list[str]]:
    """msgid → [msgstr, …] (one per plural form); the header is left out."""
    entries: dict[str, list[str]] = {}
    msgid: str | None = None
    current: list[str] = []
    field = ""
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line or line.startswith("#"):
            if msgid is not None:
                entries[msgid] = current
            msgid, current, field = None, [], ""
            continue
        key, _, rest = line.partition(" ")
        if key == "msgid":
            msgid, field = json.loads(rest), "msgid"
        elif key == "msgid_plural":
            field = "plural"
        elif key.startswith("msgstr"):
            current.append(json.loads(rest))
            field = "msgstr"
        elif line.startswith('"'):  # a continued string
            if field == "msgid" and msgid is not None:
                msgid += json.loads(line)
            elif field == "msgstr" and current:
                current[-1] += json.loads(line)
    entries.pop("", None)
    return entries


def update(messages: list[tuple[str, str | None]]) -> None:
    """Append strings the .po files lack, untranslated, so translators see them."""
    for po in sorted(LOCALE.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        known = read_po(po)
        missing = [(m, p) for m, p in messages if m not in known]
        if missing:
            with po.open("a", encoding="utf-8") as out:
                for msgid, plural in missing:
                    out.write(f"\nmsgid {_po_quote(msgid)}\n")
                    if plural is not None:
                        out.write(f"msgid_plural {_po_quote(plural)}\n")
                    out.write('msgstr ""\n')
            print(f"{po}: {len(missing)} new string(s) to translate")


def catalog(po: Path) -> dict[str, object]:
    """The JSON JupyterLab's translator loads (the language packs' Jed layout)."""
    language = po.parent.parent.name
    data: dict[str, object] = {
        "": {
            "domain": DOMAIN,
            "language": language.replace("_", "-"),
            "plural_forms": PLURAL_FORMS.get(language, "nplurals=2; plural=(n != 1);"),
            "version": DOMAIN,
        }
    }
    for msgid, translations in sorted(read_po(po).items()):
        if any(translations):
            data[msgid] = translations
    return data


def compile_all() -> list[Path]:
    written = []
    for po in sorted(LOCALE.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        target = po.with_suffix(".json")
        text = json.dumps(catalog(po), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else ""
    if command == "extract":
        write_pot(extract())
    elif command == "update":
        messages = extract()
        write_pot(messages)
        update(messages)
    elif command == "compile":
        for path in compile_all():
            print(f"wrote {path.relative_to(ROOT)}")
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
