"""A small, hand-made drop folder: two months, a district table, co-credit and a conflict.

Every workbook is written to disk by the test with openpyxl, as a clerk would send it.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl

HEADER = ["序号", "行业", "项目名称", "项目方", "投资总额（亿元）", "本年到位资金（亿元）",
          "联系电话", "签约时间", "进展情况", "是否三企入桂项目", "合作单位", "投资来源"]
# 投资来源 of a row that does not give one: 区外境内, so it counts (domain.md, revision 2)
DEFAULT_SOURCE = "广东深圳"


def ledger(path: Path, unit: str, month: str, rows: list[list]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "项目表"
    year, mon = month.split("-")
    ws.append([f"{unit}{year}年招商引资项目统计表"])
    ws.append([f"填报单位：{unit}", None, None, None, None, None, f"统计时间：{year}年{int(mon)}月"])
    ws.append(HEADER)
    for i, row in enumerate(rows, start=1):
        source = row[10] if len(row) > 10 else DEFAULT_SOURCE
        ws.append([i, *row[:10], source])
    ws.append(["合计", None, None, None, sum(r[3] for r in rows if isinstance(r[3], (int, float)))])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def district_targets(path: Path, liunan_funds: int = 20) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["附件1"])
    ws.append(["2021年全市各县（区）、开发区招商引资目标任务分解表"])
    ws.append(["单位", "2021年区外境内到位资金目标（亿元）",
               "2021年新引进项目目标（须含30%以上新兴产业项目，单位：个）",
               "2021年新引进工业项目目标（个）", "2021年新引进亿元工业项目目标（个）"])
    ws.append(["合计", liunan_funds + 10, 6, 4, 2])
    ws.append(["柳南区", liunan_funds, 4, 3, 1])
    ws.append(["柳江区", 10, 2, 1, 1])
    ws.append(["注：招商引资数据按照项目属地原则进行统计。"])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def build(root: Path) -> Path:
    """targets/ + 2021-01 + 2021-02 for 柳南区, 柳江区 and 市工信局."""
    district_targets(root / "targets" / "2021年县区目标任务分解表.xlsx")
    a = ["汽车零部件", "岭南药业柳州中药生产基地", "岭南中药饮片有限公司", 12, 1.5, "13812345678",
         "2021年1月", "已签约", "是", None]
    b = ["新材料", "石墨烯复合材料项目", "柳州某新材料有限公司", 3, 0.5, None, "2021.1", "已开工",
         "否", "市工业和信息化局"]
    c = ["房地产业", "集美江山项目", "柳州鹿寨金润房地产开发有限公司", 6, 1, None, "2021/1/15",
         "在建", "否", None]
    ledger(root / "2021-01" / "柳南区.xlsx", "柳南区", "2021-01", [a, b])
    ledger(root / "2021-01" / "市工信局.xlsx", "市工信局", "2021-01",
           [["汽车零部件", "岭南药业柳州中药生产基地项目", "岭南中药饮片公司", 12, 1.2, None,
             "2021年1月", "已签约", "是", None]])
    ledger(root / "2021-02" / "柳南区.xlsx", "柳南区", "2021-02",
           [a[:4] + [2.5] + a[5:7] + ["已开工"] + a[8:], b, c])
    # 柳江区 reports 集美江山 too (a 属地 conflict), a month after 柳南区
    ledger(root / "2021-02" / "柳江区.xlsx", "柳江区", "2021-02",
           [["房地产业", "集美江山", "鹿寨金润房地产开发公司", 6, 1, None, "2021年2月", "在建",
             "否", None]])
    (root / "2021-02" / "会议纪要.docx").write_bytes(b"not a workbook")
    return root
