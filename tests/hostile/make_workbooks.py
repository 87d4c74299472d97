"""Writes the hostile workbooks that rust_xlsxwriter cannot (see tests/inputs_workbook.rs):

* tables/workbook_legacy.xls      an Excel 97-2003 workbook (BIFF8), written by xlwt;
* tables/workbook_areas.ods       an OpenDocument spreadsheet, a ZIP written by hand;
* tables/workbook_password.xlsx   tables/workbook_title_rows.xlsx encrypted with the
                                  password "careneed" by msoffcrypto-tool (an OLE
                                  container holding EncryptionInfo and EncryptedPackage).

Both hold the two areas of tests/inputs_workbook.rs below a title row. Run from the
repository root, after `cargo test --test inputs_workbook -- --ignored`:

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install xlwt msoffcrypto-tool
    /tmp/venv/bin/python tests/hostile/make_workbooks.py
"""

import zipfile
from xml.sax.saxutils import escape

import msoffcrypto.format.ooxml
import xlwt

TABLES = "tests/hostile/tables/"
HEADER = ["code", "name", "population", "under5", "foreign_born", "elderly_alone",
          "single_parents", "movers", "unemployed", "low_education"]
ROWS = [
    ["2180C1010", "Gävle centrum", 1200, 60, 300, 40, 25, 150, 30, 80],
    ["2180C1020", None, 900, 45, 100, 20, 10, 90, 12, 40],
]
TITLE = "Folkmängd och CNI-variabler per DeSO"


def xls():
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("DeSO")
    sheet.write(0, 0, TITLE)
    for c, h in enumerate(HEADER):
        sheet.write(1, c, h)
    for r, row in enumerate(ROWS, start=2):
        for c, v in enumerate(row):
            if v is not None:
                sheet.write(r, c, v)
    book.save(TABLES + "workbook_legacy.xls")


def ods():
    def cell(v):
        if v is None:
            return "<table:table-cell/>"
        if isinstance(v, (int, float)):
            return ('<table:table-cell office:value-type="float" office:value="%s">'
                    "<text:p>%s</text:p></table:table-cell>" % (v, v))
        return ('<table:table-cell office:value-type="string"><text:p>%s</text:p>'
                "</table:table-cell>" % escape(v))

    rows = [[TITLE], HEADER] + ROWS
    body = "".join("<table:table-row>%s</table:table-row>" % "".join(map(cell, r)) for r in rows)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content'
        ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="DeSO">'
        + body
        + "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/"'
        ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(TABLES + "workbook_areas.ods", "w") as z:
        fixed = (1980, 1, 1, 0, 0, 0)
        z.writestr(zipfile.ZipInfo("mimetype", fixed),
                   "application/vnd.oasis.opendocument.spreadsheet",
                   compress_type=zipfile.ZIP_STORED)
        for name, text in [("content.xml", content), ("META-INF/manifest.xml", manifest)]:
            z.writestr(zipfile.ZipInfo(name, fixed), text, compress_type=zipfile.ZIP_DEFLATED)


def encrypted():
    with open(TABLES + "workbook_title_rows.xlsx", "rb") as plain, \
            open(TABLES + "workbook_password.xlsx", "wb") as out:
        msoffcrypto.format.ooxml.OOXMLFile(plain).encrypt("careneed", out)


if __name__ == "__main__":
    xls()
    ods()
    encrypted()
