"""Write a synthetic corpus of N sources in kg-build's own fact format, for the scale benchmarks.

    .venv/bin/python benchmarks/generate_corpus.py OUT --sources 1000 [--seed 7]
        [--gazetteer ../shared/reference/cn-admin-divisions.csv]

OUT becomes a project folder that `kg --config OUT/kg.toml build` builds with this project's
ontology, shapes and queries:

    OUT/kg.toml
    OUT/facts/places.yaml                 divisions drawn from the gazetteer (row quoted), ancestors
    OUT/facts/sources/cn-admin-divisions/ the gazetteer as a source
    OUT/facts/sources/gen-00001/ ...      per source: source, organisations, people, projects,
                                          agreements, concepts, figures
    OUT/texts/gen-00001.en.txt            per source text; every quote is a sentence of it
    OUT/texts/cn-admin-divisions.csv      the gazetteer, so that place quotes are checked too

Each source names a county, its company, the company's chairman, a project with a milestone,
an agreement, figures and its company's industry, filed under a scheme of every tenth source (about 100 triples a source; places add about 15 each). The same N
and seed give byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
DEFAULT_GAZETTEER = PROJECT.parent / "shared" / "reference" / "cn-admin-divisions.csv"

SURNAMES = [
    ("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"),
    ("黄", "Huang"), ("赵", "Zhao"), ("吴", "Wu"), ("周", "Zhou"), ("徐", "Xu"), ("孙", "Sun"),
    ("马", "Ma"), ("朱", "Zhu"), ("胡", "Hu"), ("郭", "Guo"), ("何", "He"), ("林", "Lin"),
    ("罗", "Luo"), ("高", "Gao"), ("郑", "Zheng"), ("梁", "Liang"), ("谢", "Xie"), ("宋", "Song"),
    ("唐", "Tang"), ("蒋", "Jiang"), ("邓", "Deng"), ("冯", "Feng"), ("韩", "Han"), ("曹", "Cao"),
]  # fmt: skip
GIVEN = [
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"),
    ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"), ("艳", "yan"),
    ("杰", "jie"), ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("秀", "xiu"), ("霞", "xia"),
    ("平", "ping"), ("刚", "gang"), ("桂", "gui"), ("华", "hua"), ("建", "jian"), ("国", "guo"),
]  # fmt: skip
BRANDS = [
    ("恒达", "Hengda"), ("华信", "Huaxin"), ("金源", "Jinyuan"), ("新宇", "Xinyu"), ("瑞丰", "Ruifeng"),
    ("中科", "Zhongke"), ("宏图", "Hongtu"), ("远航", "Yuanhang"), ("天成", "Tiancheng"),
    ("博润", "Borun"), ("嘉禾", "Jiahe"), ("鼎盛", "Dingsheng"), ("永兴", "Yongxing"),
]  # fmt: skip
INDUSTRIES = [
    ("电子科技", "Electronic Technology"), ("新材料", "New Materials"), ("家居", "Home Furnishing"),
    ("新能源", "New Energy"), ("医药", "Pharmaceutical"), ("物流", "Logistics"),
    ("智能制造", "Intelligent Manufacturing"), ("食品", "Food"),
]  # fmt: skip
PROJECT_TYPES = [
    ("industrial-base", "产业基地", "Industrial Base"),
    ("investment-project", "投资项目", "Investment Project"),
    ("development-zone", "开发区", "Development Zone"),
    ("data-centre", "数据中心", "Data Centre"),
    ("service-facility", "服务中心", "Service Centre"),
]
STAGES = ["planned", "preliminary-work", "under-construction", "in-operation"]


@dataclass(frozen=True)
class Division:
    code: str
    parent: str
    level: str
    name_zh: str
    full_name_zh: str
    pinyin: str
    wikidata: str
    lat: str
    lon: str
    row: str  # the CSV line, verbatim: the quote


def read_gazetteer(path: Path) -> dict[str, Division]:
    lines = path.read_text(encoding="utf-8").splitlines()
    out = {}
    for line, cells in zip(lines[1:], csv.reader(lines[1:]), strict=True):
        out[cells[0]] = Division(*cells, row=line)  # type: ignore[arg-type]
    return out


def _q(text: str) -> str:
    """A YAML scalar that stays a string whatever it holds (JSON strings are YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")


class Places:
    """The divisions the corpus uses, with their ancestors, and unique English names."""

    SUFFIX = {"县": " County", "区": " District", "市": " City", "旗": " Banner"}

    def __init__(self, gazetteer: dict[str, Division]) -> None:
        self.gazetteer = gazetteer
        self.used: dict[str, Division] = {}

    def use(self, code: str) -> str:
        d = self.gazetteer[code]
        if d.parent:
            self.use(d.parent)
        self.used[code] = d
        return self.id_of(d)

    @staticmethod
    def id_of(d: Division) -> str:
        return f"{_slug(d.pinyin)}-{d.code}"

    def english(self, d: Division) -> str:
        base = "".join(d.pinyin.split()).capitalize()
        if d.level == "province":
            return "Shaanxi" if d.code == "610000" else base  # Shanxi is 140000
        suffix = self.SUFFIX.get(d.full_name_zh[-1:], "") if d.level == "county" else ""
        # divisions share names across provinces (朝阳区): the code keeps English names unique
        return f"{base}{suffix} ({d.code})"

    def yaml(self) -> str:
        out = [
            "# Generated by benchmarks/generate_corpus.py: divisions quote their gazetteer row.",
            "places:",
            "  - id: china",
            "    type: country",
            "    name: {en: China, zh: 中国, pinyin: Zhongguo}",
            "    wikidata: Q148",
            "    source: gen-00001",
            "    quote: news from China",
            "",
        ]
        for code in sorted(self.used):
            d = self.used[code]
            kind = {"province": "province", "prefecture": "prefecture-level-city"}.get(
                d.level,
                {"区": "district", "市": "county-level-city"}.get(d.full_name_zh[-1:], "county"),
            )
            if code in ("810000", "820000"):
                kind = "special-administrative-region"
            parent = self.id_of(self.used[d.parent]) if d.parent else "china"
            out += [
                f"  - id: {self.id_of(d)}",
                f"    type: {kind}",
                f"    name: {{en: {_q(self.english(d))}, zh: {d.full_name_zh}, pinyin: {_q(''.join(d.pinyin.split()).capitalize())}}}",
                f"    part_of: [{parent}]",
                f'    code: "{d.code}"',
            ]
            if d.wikidata:
                out += [f"    point: {{lat: {d.lat}, lon: {d.lon}}}", f"    wikidata: {d.wikidata}"]
            out += ["    source: cn-admin-divisions", f"    quote: {_q(d.row)}", ""]
        return "\n".join(out)


def _people() -> Iterator[tuple[str, str]]:
    """Every surname x two-syllable given name, in a fixed shuffled order: unique names."""
    names = [
        (s_zh + g1 + g2, f"{s_en} {g1_en.capitalize()}{g2_en}")
        for s_zh, s_en in SURNAMES
        for g1, g1_en in GIVEN
        for g2, g2_en in GIVEN
    ]
    random.Random(0).shuffle(names)
    yield from names


def source_files(
    number: int,
    county: Division,
    prefecture: Division,
    places: Places,
    person: tuple[str, str],
    seed: int,
    statement_about: str | None = None,
) -> tuple[dict[str, str], str]:
    """The fact files of one source and its text. `statement_about`: another source whose
    project this one says something of (a statement: its company takes part, and the project
    went into operation), the ordinary cross-source curation."""
    rng = random.Random(f"{seed}-{number}")
    sid = f"gen-{number:05d}"
    published = dt.date(2019, 1, 1) + dt.timedelta(days=number % 2000)
    county_id, prefecture_id = places.id_of(county), places.id_of(prefecture)
    county_en = places.english(county).split(" (")[0]
    brand_zh, brand_en = rng.choice(BRANDS)
    industry_zh, industry_en = rng.choice(INDUSTRIES)
    company_en = f"{county_en} {brand_en} {industry_en} No. {number}"
    company_zh = f"{county.name_zh}{brand_zh}{industry_zh}第{number}号有限公司"
    person_zh, person_en = person
    ptype, ptype_zh, ptype_en = rng.choice(PROJECT_TYPES)
    project_en = f"{company_en} {ptype_en}"
    stage = rng.choice(STAGES)
    year = published.year - rng.randint(0, 2)
    # a stage reported for the source's own year is reported for its day: the year is not over
    reported = published.isoformat() if year == published.year else str(year)
    investment = rng.randint(5, 900) / 10
    contract = rng.randint(1, 400) / 10
    jobs = rng.randint(50, 3000)
    sentences = {
        "lead": f"{county_en}, {published:%B} {published.day}: news from China about {company_en}.",
        "company": f"{company_en} is based in {county_en}.",
        "chair": f"{person_en}, chairman of {company_en}, spoke to reporters.",
        "project": f"The {project_en} was launched in {county_en}.",
        "stage": f"In {year} the {project_en} reached the stage {stage.replace('-', ' ')}.",
        "investment": f"The {project_en} has a total investment of {investment} billion yuan.",
        "agreement": f"{company_en} signed an agreement with {prefecture.full_name_zh} on the {project_en}.",
        "contract": f"The contract value is {contract} billion yuan.",
        "jobs": f"The project will create {jobs} jobs.",
        "industry": f"{company_en} works in {industry_en}.",
    }
    # every tenth source sets up a scheme of industries; each source files its company's
    # industry under its decade's scheme (graphs of one source read records of another)
    first = number - (number - 1) % 10
    scheme = f"gen-{first:05d}-industries"
    if first == number:
        sentences["scheme"] = f"{county_en} lists its leading industries."
    if statement_about is not None:
        sentences["other"] = (
            f"{company_en} joined project {statement_about}, which went into operation in "
            f"{published.year}."
        )
    text = " ".join(sentences.values()) + "\n"
    files = {
        "source.yaml": "\n".join(
            [
                f"id: {sid}",
                "type: news-article",
                f"title: {_q(f'{company_en} invests in {county_en}')}",
                "publisher: Generated News Service",
                f"published: {published.isoformat()}",
                "language: en",
                f"text: {sid}.en.txt",
                "",
            ]
        ),
        "organisations.yaml": "\n".join(
            [
                "organisations:",
                f"  - id: {sid}-company",
                "    type: company",
                f"    name: {{en: {_q(company_en)}, zh: {company_zh}}}",
                f"    seat: {county_id}",
                f"    present_in: [{county_id}]",
                f"    industries: [{sid}-industry]",
                f"    quote: {_q(sentences['company'])}",
                "",
            ]
        ),
        "concepts.yaml": "\n".join(
            (
                [
                    "schemes:",
                    f"  - id: {scheme}",
                    f"    name: {{en: {_q(f'Leading industries {number}')}, zh: 主导产业{number}}}",
                    f"    quote: {_q(sentences['scheme'])}",
                ]
                if first == number
                else []
            )
            + [
                "concepts:",
                f"  - id: {sid}-industry",
                f"    scheme: {scheme}",
                f"    name: {{en: {_q(f'{industry_en} {number}')}, zh: {industry_zh}{number}}}",
                f"    quote: {_q(sentences['industry'])}",
                "",
            ]
        ),
        "people.yaml": "\n".join(
            [
                "people:",
                f"  - id: {sid}-chairman",
                f"    name: {{en: {_q(person_en)}, zh: {person_zh}, pinyin: {_q(person_en)}}}",
                f"    quote: {_q(sentences['chair'])}",
                "    roles:",
                f"      - {{role: chairman, organisation: {sid}-company, as_of: {published.isoformat()}, quote: {_q(sentences['chair'])}}}",
                "",
            ]
        ),
        "projects.yaml": "\n".join(
            [
                "projects:",
                f"  - id: {sid}-project",
                f"    type: {ptype}",
                f"    name: {{en: {_q(project_en)}, zh: {company_zh}{ptype_zh}}}",
                f"    located_in: [{county_id}]",
                f"    participants: [{sid}-company]",
                f"    quote: {_q(sentences['project'])}",
                "    milestones:",
                f'      - {{stage: {stage}, period: "{reported}", status: reported, quote: {_q(sentences["stage"])}}}',
                *(_statement(statement_about, sid, published, sentences.get("other"))),
                "",
            ]
        ),
        "agreements.yaml": "\n".join(
            [
                "agreements:",
                f"  - id: {sid}-agreement",
                "    type: signed-projects",
                f"    name: {{en: {_q(f'Agreement of {company_en} with {prefecture.full_name_zh}')}, zh: {company_zh}签约{prefecture.full_name_zh}}}",
                f"    parties: [{sid}-company, {prefecture_id}]",
                f"    places: [{county_id}]",
                f"    concerns: [{sid}-project]",
                f"    period: {published.isoformat()}",
                f"    quote: {_q(sentences['agreement'])}",
                "",
            ]
        ),
        "figures.yaml": "\n".join(
            [
                "figures:",
                f"  - id: {sid}-investment",
                f"    about: {sid}-project",
                "    measure: total-investment",
                f"    value: {investment}e9",
                "    unit: CNY",
                f'    period: "{year}"',
                f"    quote: {_q(sentences['investment'])}",
                "",
                f"  - id: {sid}-contract-value",
                f"    about: {sid}-agreement",
                "    measure: contract-value",
                f"    value: {contract}e9",
                "    unit: CNY",
                f"    period: {published.isoformat()}",
                f"    quote: {_q(sentences['contract'])}",
                "",
            ]
        ),
    }
    return files, text


def _statement(about: str | None, sid: str, day: dt.date, sentence: str | None) -> list[str]:
    """Lines of projects.yaml: a statement about another source's project, if any."""
    if about is None or sentence is None:
        return []
    return [
        f"  - about: {about}-project",
        f"    participants: [{sid}-company]",
        f"    quote: {_q(sentence)}",
        "    milestones:",
        f'      - {{stage: in-operation, period: "{day.isoformat()}", quote: {_q(sentence)}}}',
    ]


def generate(
    out: Path, sources: int, seed: int, gazetteer_csv: Path, statements_every: int = 5
) -> None:
    """`statements_every`: every so many sources says something of the previous source's
    project (0: none do, as kg-build before statements could read)."""
    gazetteer = read_gazetteer(gazetteer_csv)
    counties = sorted(
        (d for d in gazetteer.values() if d.level == "county" and d.wikidata), key=lambda d: d.code
    )
    rng = random.Random(seed)
    places = Places(gazetteer)
    people = _people()
    if out.exists():
        shutil.rmtree(out)
    facts = out / "facts"
    texts = out / "texts"
    (facts / "sources" / "cn-admin-divisions").mkdir(parents=True)
    texts.mkdir()
    shutil.copy(gazetteer_csv, texts / "cn-admin-divisions.csv")
    shutil.copy(
        PROJECT / "facts" / "sources" / "cn-admin-divisions" / "source.yaml",
        facts / "sources" / "cn-admin-divisions" / "source.yaml",
    )
    for number in range(1, sources + 1):
        county = rng.choice(counties)
        prefecture = gazetteer[county.parent]
        places.use(county.code)
        about = None
        if statements_every and number > 1 and number % statements_every == 0:
            about = f"gen-{number - 1:05d}"
        files, text = source_files(
            number, county, prefecture, places, next(people), seed, statement_about=about
        )
        folder = facts / "sources" / f"gen-{number:05d}"
        folder.mkdir()
        for name, content in files.items():
            (folder / name).write_text(content, encoding="utf-8")
        (texts / f"gen-{number:05d}.en.txt").write_text(text, encoding="utf-8")
        if number % 1000 == 0:
            print(f"  {number} of {sources} sources", file=sys.stderr)
    (facts / "places.yaml").write_text(places.yaml(), encoding="utf-8")
    (out / "kg.toml").write_text(
        "\n".join(
            [
                "# Generated by benchmarks/generate_corpus.py",
                "[kg-build]",
                f'ontology = "{PROJECT / "ontology"}"',
                f'shapes = "{PROJECT / "shapes"}"',
                f'queries = "{PROJECT / "queries"}"',
                'facts = "facts"',
                'dist = "dist"',
                'texts = ["texts"]',
                'gazetteer = "texts/cn-admin-divisions.csv"',
                "",
            ]
        ),
        encoding="utf-8",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--sources", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--gazetteer", type=Path, default=DEFAULT_GAZETTEER)
    parser.add_argument(
        "--statements-every",
        type=int,
        default=5,
        help="every so many sources says something of another's project (0: none)",
    )
    args = parser.parse_args()
    generate(args.out, args.sources, args.seed, args.gazetteer, args.statements_every)
    print(f"wrote {args.sources} sources to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
