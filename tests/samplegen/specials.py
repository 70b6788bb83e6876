"""Files that are not (good) ledgers: non-spreadsheets, empty, wrong kind, unit unknown."""

from __future__ import annotations

import zipfile

from .writer import FIXED_TS, Sheet, write_workbook


def _zip(path, members: dict[str, str]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, data in members.items():
            zf.writestr(zipfile.ZipInfo(n, date_time=FIXED_TS), data)


def write_specials(ctx, periods: list[str]) -> None:
    out = ctx.out

    def has(p):
        return p in periods

    def skipped(rel, folder, reason):
        ctx.add_file(rel, folder, "", "", "skipped", reason)
        ctx.finding("skipped_file", "info", folder, "", rel)

    if has("2021-03"):
        rel = "2021-03/关于报送2021年3月招商引资数据的说明.docx"
        (out / "2021-03").mkdir(parents=True, exist_ok=True)
        _zip(out / rel, {
            "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://'
            'schemas.openxmlformats.org/package/2006/content-types"/>',
            "word/document.xml": "<w:document><w:body><w:p><w:r><w:t>各县区：请于每月5日前报送。"
            "</w:t></w:r></w:p></w:body></w:document>"})
        skipped(rel, "2021-03", "not a spreadsheet (.docx)")
    if has("2022-01"):
        rel = "2022-01/2021年招商引资工作简报.pdf"
        (out / "2022-01").mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>"
                                b"\n%%EOF\n")
        skipped(rel, "2022-01", "not a spreadsheet (.pdf)")
    if has("2021-12"):
        rel = "2021-12/报送说明.txt"
        (out / "2021-12").mkdir(parents=True, exist_ok=True)
        (out / rel).write_text("柳北区12月报表另行补报。\n", encoding="utf-8")
        skipped(rel, "2021-12", "not a spreadsheet (.txt)")
    if has("2022-06"):
        rel = "2022-06/~$柳北区-202206.xlsx"
        (out / "2022-06").mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(b"\x0bAdministrator" + b"\x00" * 149)
        skipped(rel, "2022-06", "Office lock file (~$)")
    if has("2021-08"):
        rel = "2021-08/.柳南区备份.xlsx"
        (out / "2021-08").mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(b"hidden backup")
        skipped(rel, "2021-08", "hidden file")
    if has("2022-04"):
        rel = "2022-04/新建 Microsoft Excel 工作表.xlsx"
        write_workbook(out / rel, [Sheet("Sheet1")])
        ctx.add_file(rel, "2022-04", "", "empty", "quarantined", "empty workbook")
        ctx.finding("unreadable_file", "error", "2022-04", "", rel)
    if has("2022-05"):
        rel = "2022-05/招商引资工作推进会签到表.xlsx"
        sh = Sheet("签到表")
        sh.add(["2022年5月全市招商引资工作推进会签到表"], "title")
        sh.add(["序号", "单位", "姓名", "职务", "联系电话", "签到时间"], "header")
        for i, (u, n, j) in enumerate([("城中区", "韦伟", "副区长"), ("鹿寨县", "王轶", "副县长"),
                                       ("市工信局", "陈明", "副局长"), ("市商务局", "黄芳", "科长")]):
            sh.add([i + 1, u, n, j, f"1807721{1000 + i * 37:04d}", "9:0" + str(i)], "data")
        write_workbook(out / rel, [sh])
        ctx.add_file(rel, "2022-05", "", "", "quarantined", "not a submission kind (sign-in sheet)")
        ctx.finding("unreadable_file", "error", "2022-05", "", rel)
    if has("2021-11"):
        rel = "2021-11/招商引资项目统计表.xlsx"
        sh = Sheet("Sheet1")
        sh.add(["2021年招商引资项目统计表"], "title")
        sh.add(["序号", "行业", "项目名称", "项目方", "投资总额（亿元）", "项目入驻时间", "进展情况"],
               "header")
        sh.add([1, "汽车零部件", "年产5万套汽车座椅项目", "广西某某汽车零部件有限公司", 1.2, "2021年10月",
                "已签约"], "data")
        sh.add([2, "商贸物流", "城市冷链配送中心项目", "某某物流有限公司", 0.8, "2021年11月", "洽谈中"],
               "data")
        write_workbook(out / rel, [sh])
        ctx.add_file(rel, "2021-11", "", "project_ledger", "quarantined", "submitting unit unknown")
        ctx.finding("unknown_unit", "error", "2021-11", "", rel)
