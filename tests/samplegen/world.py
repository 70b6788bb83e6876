"""The true world: units, projects, their monthly evolution and who reports them when."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal

from . import names as N

STAGES = ["在谈", "签约", "注册", "开工", "竣工投产"]
ALL_PERIODS = [f"{y}-{m:02d}" for y in (2021, 2022) for m in range(1, 13) if (y, m) <= (2022, 6)]


def ab(period: str) -> int:
    y, m = period.split("-")
    return int(y) * 12 + int(m) - 1


def per(a: int) -> str:
    return f"{a // 12}-{a % 12 + 1:02d}"


def unit_type(unit: str) -> str:
    if unit in N.DISTRICTS:
        return "district"
    if unit in N.DEPARTMENTS:
        return "department"
    return "task_group"


@dataclass
class Project:
    pid: str
    name: str
    investor: str
    industry: str
    chain: str
    total: Decimal
    sanqi: bool
    source: str
    person: str
    phone: str
    s: int  # signing (first listing) month, absolute
    day: int
    talk_first: bool
    t_reg: int
    t_start: int
    t_done: int
    t_withdraw: int | None
    rate: Decimal
    home: str | None = None
    listings: dict[str, int] = field(default_factory=dict)  # unit -> first absolute month
    partners: dict[str, list[str]] = field(default_factory=dict)  # unit -> partner texts
    rename: tuple[int, str] | None = None  # (from month, old name before it)
    cum: dict[int, Decimal] = field(default_factory=dict)
    start_day: int = 10
    done_day: int = 20

    def stage(self, a: int) -> str:
        if self.t_withdraw is not None and a >= self.t_withdraw:
            return "退库"
        if self.talk_first and a == self.s:
            return "在谈"
        if a < self.t_reg:
            return "签约"
        if a < self.t_start:
            return "注册"
        if a < self.t_done:
            return "开工"
        return "竣工投产"

    def name_at(self, a: int) -> str:
        if self.rename and a < self.rename[0]:
            return self.rename[1]
        return self.name

    def cum_at(self, a: int) -> Decimal:
        if a < self.s:
            return Decimal(0)
        return self.cum.get(a, self.cum[max(k for k in self.cum if k <= a)])

    def funds_year(self, a: int) -> Decimal:
        y0 = (a // 12) * 12 - 1
        return self.cum_at(a) - self.cum_at(y0)

    def compute_funds(self, last: int) -> None:
        c = Decimal(0)
        for a in range(self.s, last + 1):
            active = a >= self.t_reg and (self.t_withdraw is None or a < self.t_withdraw)
            if active and c < self.total:
                c = min(self.total, c + max(Decimal("0.01"), (self.total * self.rate).quantize(
                    Decimal("0.01"))))
            self.cum[a] = c

    def listed_until(self, year: int) -> bool:
        """Is the project still listed (continuing) in ledgers of `year` (> signing year)?"""
        dec = year * 12 - 1
        if dec < self.s:
            return False
        if self.stage(dec) == "退库":
            return False
        return self.cum_at(dec) < self.total or self.stage(dec) != "竣工投产"


PROFILES = {
    "城中区": ["商贸物流", "文化旅游", "大健康", "数字经济", "房地产业"],
    "鱼峰区": ["生物医药", "食品加工", "大健康", "汽车零部件"],
    "柳南区": ["机械装备", "汽车零部件", "节能环保"],
    "柳北区": ["节能环保", "文化旅游", "机械装备", "汽车零部件"],
    "柳江区": ["智能家电", "汽车零部件", "食品加工"],
    "柳城县": ["绿色化工", "机械装备", "农产品加工"],
    "鹿寨县": ["林木加工", "新材料", "绿色化工", "表面处理", "商贸物流", "汽车零部件"],
    "融安县": ["林木加工", "农产品加工", "文化旅游", "现代农业"],
    "融水县": ["林木加工", "农产品加工", "文化旅游", "现代农业"],
    "三江县": ["文化旅游", "农产品加工", "现代农业"],
    "柳东新区": ["汽车零部件", "新能源汽车", "电子信息", "新材料"],
    "阳和工业新区（北部生态新区）": ["电子信息", "数字经济", "机械装备", "新能源汽车"],
}
DEPT_INDUSTRIES = {
    "市投资促进局": None, "市工业和信息化局": ["汽车零部件", "机械装备", "智能家电", "绿色化工",
                                             "新材料", "电子信息", "表面处理", "食品加工"],
    "市商务局": ["商贸物流"], "市住房城乡建设局": ["房地产业", "基础设施", "节能环保"],
    "市农业农村局": ["现代农业", "农产品加工", "食品加工"], "市文化广电旅游局": ["文化旅游", "大健康"],
    "市国资委": None, "市林业和园林局": ["林木加工"], "市科技局": ["生物医药", "新材料", "电子信息"],
    "市大数据局": ["数字经济", "电子信息"], "市贸促会": None,
}
GROUP_INDUSTRIES = {
    "鹿寨县林木加工产业招商组": ["林木加工"],
    "鹿寨县新材料和绿色化工产业招商组": ["新材料", "绿色化工"],
    "鹿寨县表面处理产业招商组": ["表面处理"],
    "鹿寨县商用车共享零部件产业招商组": ["汽车零部件", "机械装备", "新能源汽车"],
    "鹿寨县商贸物流产业招商组": ["商贸物流", "食品加工"],
    "鹿寨县农业产业招商组": ["现代农业", "农产品加工"],
    "鹿寨县基础设施及房地产产业招商组": ["房地产业", "基础设施"],
    "鹿寨县文旅产业与教育卫生招商组": ["文化旅游", "大健康"],
    "市科技局汽车产业链招商专班": ["汽车零部件", "新能源汽车"],
    "市科技局机械装备制造产业链招商专班": ["机械装备"],
    "市科技局大健康和文旅体育产业链招商专班": ["大健康", "文化旅游"],
    "市科技局生物医药产业链招商专班": ["生物医药"],
    "市科技局绿色环保产业链科技招商专班": ["节能环保", "绿色化工"],
    "市科技局数字经济产业链招商专班": ["数字经济"],
    "市科技局现代农业产业链招商专班": ["现代农业", "农产品加工"],
    "市科技局电子信息产业链招商专班": ["电子信息"],
}
LUZHAI_2022_WEIGHTS = {"林木加工": 23, "新材料": 3, "绿色化工": 3, "表面处理": 6, "汽车零部件": 5,
                       "商贸物流": 12, "现代农业": 2, "房地产业": 4, "基础设施": 1, "文化旅游": 1}


class World:
    def __init__(self, seed: int, units: list[str] | None, periods: list[str], rows_scale: float):
        self.rng = random.Random(seed)
        self.seed = seed
        self.periods = periods
        self.first = ab(periods[0])
        self.last = ab(periods[-1])
        self.years = sorted({int(p[:4]) for p in periods})
        self.scale = rows_scale
        allu = N.DISTRICTS + N.DEPARTMENTS + N.LUZHAI_GROUPS + N.KJJ_GROUPS
        self.units = [u for u in allu if units is None or u in units]
        self.projects: list[Project] = []
        self._names: set[str] = set()
        self._firms: set[str] = set()
        self._n = 0
        self.planted: dict[str, object] = {}
        self.build()

    # ------------------------------------------------------------------ helpers
    def active_units(self, year: int) -> list[str]:
        out = []
        for u in self.units:
            if unit_type(u) == "task_group" and year < 2022:
                continue
            out.append(u)
        return out

    def year_months(self, year: int) -> list[int]:
        return [a for a in range(self.first, self.last + 1) if a // 12 == year]

    def pick_industry(self, prefer: list[str] | None, weights: dict[str, int] | None = None) -> str:
        r = self.rng
        if weights:
            keys = list(weights)
            return r.choices(keys, [weights[k] for k in keys])[0]
        inds = [i for i, _, _ in N.INDUSTRIES]
        w = [wt * (5 if prefer and i in prefer else 1) for i, _, wt in N.INDUSTRIES]
        return r.choices(inds, w)[0]

    def make_total(self, industry: str) -> Decimal:
        r = self.rng
        x = r.random()
        if x < 0.2:
            v = Decimal(r.randint(6, 50)) / 100
        elif x < 0.4:
            v = Decimal(r.randint(50, 99)) / 100
        elif x < 0.8:
            v = Decimal(r.randint(10, 49)) / 10
        elif x < 0.95:
            v = Decimal(r.randint(5, 20))
        else:
            v = Decimal(r.choice([25, 30, 50, 60, 100]))
        if industry in ("房地产业", "基础设施") and v < 1:
            v += 2
        return v

    def new_project(self, industry: str, s: int, home: str | None, total: Decimal | None = None,
                    place: str | None = None) -> Project:
        r = self.rng
        self._n += 1
        pid = f"P{self._n:04d}"
        chain = next((c for i, c, _ in N.INDUSTRIES if i == industry), industry)
        while True:
            word = r.choice(N.FIRM_WORDS)
            prefix = r.choice(N.PLACES)
            firm = f"{prefix}{word}{N.FIRM_TRADES[industry]}有限公司"
            if firm not in self._firms:
                break
            word = word + r.choice("新恒鑫达")
            firm = f"{prefix}{word}{N.FIRM_TRADES[industry]}有限公司"
            if firm not in self._firms:
                break
        self._firms.add(firm)
        prod = r.choice(N.PRODUCTS[industry])
        pl = place or ""
        if industry == "房地产业":
            name = f"{word}{prod}项目"
        elif r.random() < 0.5 and N.REF_FLAGS.get(industry, (False,))[0]:
            n = r.choice([2, 3, 5, 10, 20, 30, 50])
            unit = "万吨" if industry in ("绿色化工", "新材料", "食品加工") else (
                "万立方米" if industry == "林木加工" else "万套")
            name = f"{pl}{word}年产{n}{unit}{prod}项目"
        else:
            name = f"{pl}{word}{prod}项目"
        while name in self._names:
            name = name[:-2] + r.choice(["（二期）项目", "（一期）项目", "扩建项目", "基地项目"])
        self._names.add(name)
        total = total if total is not None else self.make_total(industry)
        talk = r.random() < 0.2
        t_sign = s + (1 if talk else 0)
        t_reg = t_sign + r.randint(0, 2)
        t_start = t_reg + r.randint(1, 3)
        t_done = t_start + r.randint(4, 12)
        wd = None
        if r.random() < 0.05:
            wd = t_sign + r.randint(1, 4)
        p = Project(
            pid=pid, name=name, investor=firm, industry=industry, chain=chain, total=total,
            sanqi=r.random() < 0.25, source=r.choice(N.SOURCES),
            person=r.choice(N.SURNAMES) + r.choice(N.GIVEN),
            phone=f"1{r.choice(['80', '89', '35', '37', '58', '77'])}7721{r.randint(0, 9999):04d}",
            s=s, day=r.randint(1, 28), talk_first=talk, t_reg=t_reg, t_start=t_start,
            t_done=t_done, t_withdraw=wd, rate=Decimal(r.randint(2, 8)) / 100, home=home,
            start_day=r.randint(1, 28), done_day=r.randint(1, 28),
        )
        p.compute_funds(self.last)
        self.projects.append(p)
        return p

    def factor(self, unit: str, year: int) -> float:
        r = self.rng
        special = {("三江县", 2021): 0.6, ("融水县", 2021): 0.65, ("柳东新区", 2021): 1.3,
                   ("柳北区", 2021): 1.2, ("市商务局", 2021): 0.5, ("市科技局", 2021): 1.4,
                   ("融安县", 2022): 0.6, ("鱼峰区", 2022): 1.3, ("城中区", 2022): 0.7}
        return special.get((unit, year), r.uniform(0.8, 1.15))

    def sign_month(self, year: int) -> int:
        months = self.year_months(year)
        return self.rng.choice(months)

    # ------------------------------------------------------------------ build
    def build(self) -> None:
        r = self.rng
        districts = [u for u in self.units if unit_type(u) == "district"]
        depts = [u for u in self.units if unit_type(u) == "department"]
        groups = [u for u in self.units if unit_type(u) == "task_group"]
        # continuing projects signed the year before the first year
        y0 = self.years[0]
        for d in districts:
            for _ in range(max(1, round(4 * self.scale))):
                s = (y0 - 1) * 12 + r.randint(2, 11)
                p = self.new_project(self.pick_industry(PROFILES.get(d)), s, d)
                p.talk_first = False
                p.t_withdraw = None
                p.t_reg = min(p.t_reg, s + 1)
                p.t_done = max(p.t_done, y0 * 12 + r.randint(2, 14))
                p.compute_funds(self.last)
                p.listings[d] = self.first
        for year in self.years:
            months = self.year_months(year)
            frac = len(months) / 12
            new_by_district: dict[str, list[Project]] = {}
            for d in districts:
                tgt = (N.DISTRICT_TARGETS_2021 if year == 2021 else N.DISTRICT_TARGETS_2022)[d][1]
                n = max(1, round(tgt * self.factor(d, year) * frac * self.scale))
                lst = []
                for _ in range(n):
                    s = self.sign_month(year)
                    if d == "鹿寨县" and year >= 2022:
                        ind = self.pick_industry(None, LUZHAI_2022_WEIGHTS)
                    else:
                        ind = self.pick_industry(PROFILES.get(d))
                    p = self.new_project(ind, s, d, place=r.choice(["", "", d[:2]]))
                    lag = 1 if (r.random() < 0.15 and s + 1 <= months[-1]) else 0
                    p.listings[d] = s + lag
                    lst.append(p)
                new_by_district[d] = lst
            pool = [p for lst in new_by_district.values() for p in lst]
            # departments: ~75% shared with a district (co-credit), the rest their own
            for dep in depts:
                tgt = (N.DEPT_TARGETS_2021 if year == 2021 else N.DEPT_TARGETS_2022)[dep]
                k = max(1, round(tgt * self.factor(dep, year) * frac * self.scale))
                inds = DEPT_INDUSTRIES.get(dep)
                cands = [p for p in pool if (inds is None or p.industry in inds)
                         and not any(unit_type(u) == "department" for u in p.listings)]
                if dep == "市投资促进局":
                    cands = [p for p in cands if p.total >= 1] or cands
                r.shuffle(cands)
                shared = cands[: round(k * 0.75)]
                for p in shared:
                    dmonth = p.listings[p.home]
                    x = r.random()
                    if x < 0.3 and p.s + 1 <= months[-1] and dmonth == p.s:
                        p.listings[p.home] = p.s + 1  # the department reports first
                        p.listings[dep] = p.s
                    else:
                        p.listings[dep] = min(months[-1], p.s + r.choice([0, 0, 1, 2]))
                for _ in range(k - len(shared)):
                    ind = self.pick_industry(inds) if inds else self.pick_industry(None)
                    s = self.sign_month(year)
                    p = self.new_project(ind, s, None)
                    p.listings[dep] = s
                    if districts and r.random() < 0.5:
                        p.home = r.choice(districts)
                        p.partners[dep] = [p.home]  # territory only via 合作单位/项目所在地
            # task groups (from 2022)
            if year >= 2022:
                lz = new_by_district.get("鹿寨县", [])
                for p in lz:
                    g = next((g for g in groups if g.startswith("鹿寨县")
                              and p.industry in GROUP_INDUSTRIES[g]), None)
                    if g:
                        p.listings[g] = min(months[-1], p.s + r.choice([0, 0, 0, 1]))
                lzg = [g for g in groups if g.startswith("鹿寨县")]
                for g in lzg[:2]:  # a group project 鹿寨县 lists only two months later
                    s = months[0] + r.randint(0, max(0, len(months) - 3))
                    ind = GROUP_INDUSTRIES[g][0]
                    if "鹿寨县" in districts:
                        p = self.new_project(ind, s, "鹿寨县", place="鹿寨")
                        p.listings["鹿寨县"] = min(months[-1], s + 2)
                    else:
                        p = self.new_project(ind, s, None)
                    p.listings[g] = s
                for g in [g for g in groups if g.startswith("市科技局")]:
                    cands = [p for p in pool if p.industry in GROUP_INDUSTRIES[g]
                             and not any(unit_type(u) == "task_group" for u in p.listings)]
                    for p in cands[: r.choice([0, 1, 1, 2])]:
                        p.listings[g] = min(months[-1], p.s + 1)
                        if "市科技局" in depts and r.random() < 0.5:
                            p.listings.setdefault("市科技局", min(months[-1], p.s + 1))
                    if g.endswith("电子信息产业链招商专班"):
                        p = self.new_project("电子信息", months[0] + 1, None)
                        p.listings[g] = p.s
            # co credit: a district ledger names a department in 合作单位
            for p in pool:
                if p.home and r.random() < 0.1 and depts:
                    p.partners[p.home] = [r.choice(depts)]
        self.plant()
        self.plant_sources()
        self.plant_stalled()

    def plant_stalled(self, n: int = 4) -> None:
        """Revision 2 (early warning 签约未开工): a few district projects signed 6 to 8 months
        before the last month that have not started by it (funds may flow: registered), from a
        random stream of their own so the rest of the world stays as it was."""
        r = random.Random(f"{self.seed}|stalled")
        taken = set(self.planted.get("conflicts", [])) | {self.planted.get("rename")} \
            | set(self.planted.get("below", [])) | set(self.planted.get("unknown_industry", []))
        cands = [p for p in self.projects
                 if p.home and p.home in p.listings and p.home != "融安县" and p.pid not in taken
                 and self.last - 8 <= p.s <= self.last - 6 and p.s >= self.first
                 and not p.talk_first and p.t_withdraw is None and p.total >= Decimal("0.05")
                 and p.listings[p.home] <= p.s + 1 and p.t_start <= self.last]
        stalled = []
        for p in r.sample(cands, min(n, len(cands))):
            p.t_start = self.last + 1 + r.randint(0, 2)
            p.t_done = p.t_start + r.randint(4, 12)
            stalled.append(p.pid)
        self.planted["stalled"] = sorted(stalled)

    def plant_sources(self) -> None:
        """Revision 2: 投资来源 of every class (区内, 境外, 区外境内 in a long form, unknown places and
        blanks), from a random stream of its own so the rest of the world stays as it was."""
        r = random.Random(f"{self.seed}|sources")
        for p in self.projects:
            x = r.random()
            kind = ("inside_region" if x < 0.05 else "foreign" if x < 0.08
                    else "domestic_outside" if x < 0.10 else "unknown" if x < 0.13
                    else "blank" if x < 0.16 else None)
            if kind:
                p.source = r.choice(N.SOURCES_REV2[kind])

    def plant(self) -> None:
        """Deliberate anomalies handled by the ledger plan (see plan.py)."""
        r = self.rng
        dist_projects = [p for p in self.projects if p.home and p.home in p.listings
                         and p.s >= self.first]
        districts = [u for u in self.units if unit_type(u) == "district"]
        # 属地 conflicts: a second district lists the project too
        conflicts = []
        for year, delay in ((2021, 2), (2021, 0), (2022, 1)):
            cands = [p for p in dist_projects if p.s // 12 == year and p.pid not in conflicts
                     and p.listings[p.home] == p.s and len(p.listings) == 1
                     and p.s + delay <= min(self.last, year * 12 + 11)]
            if not cands or len(districts) < 2:
                continue
            p = r.choice(cands)
            other = r.choice([d for d in districts if d != p.home])
            p.listings[other] = p.s + delay
            conflicts.append(p.pid)
        self.planted["conflicts"] = conflicts
        # a project renamed slightly from its third month on
        cands = [p for p in dist_projects if p.s // 12 == self.years[0]
                 and p.s + 3 <= self.years[0] * 12 + 11 and p.pid not in conflicts]
        if cands:
            p = cands[0]
            old = p.name
            p.name = old[:-2] + "建设项目" if old.endswith("项目") else old + "项目"
            p.rename = (p.s + 2, old)
            self.planted["rename"] = p.pid
        # below threshold (统计起点 500万)
        bt = []
        small = [p for p in cands[1:] if p.industry not in ("房地产业", "基础设施")]
        for i, p in enumerate(small[:2]):
            p.total = Decimal("0.03") if i == 0 else Decimal("0.04")
            p.compute_funds(self.last)
            bt.append(p.pid)
        self.planted["below"] = bt
        # unknown industries
        unk = []
        for ind, d, year in ((N.UNKNOWN_INDUSTRIES[0], "柳东新区", 2021),
                             (N.UNKNOWN_INDUSTRIES[1], "鱼峰区", 2022)):
            if d in districts and year in self.years:
                s = year * 12 + 2
                if s <= self.last:
                    p = self.new_project(ind, s, d)
                    p.listings[d] = s
                    unk.append(p.pid)
        self.planted["unknown_industry"] = unk
