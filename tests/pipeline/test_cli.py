"""SPEC 2.3, 4 and 5: the CLI on the bundled samples, run as a clerk runs it (click's CliRunner)."""
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tzreport.cli import main

SAMPLES = Path(__file__).parents[2] / "sample_workbooks"
UNIT_KEYS = {"code", "name", "category", "group", "submitted", "base", "bonus", "deduction", "total",
             "rank", "grade", "veto", "consequences", "indicators"}
INDICATOR_KEYS = {"code", "actual", "target", "target_prorated", "completion_rate", "light", "score",
                  "bonus"}


def run(*args):
    result = CliRunner().invoke(main, list(map(str, args)), prog_name="tzreport")
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    out = tmp_path_factory.mktemp("county")
    code, output = run("build", SAMPLES / "input.xlsx", "-o", out)
    return code, output, json.loads((out / "results.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    out = tmp_path_factory.mktemp("city")
    code, output = run("build", SAMPLES / "市考", "-o", out)
    return code, output, json.loads((out / "results.json").read_text(encoding="utf-8"))


def units_by_name(data):
    return {u["name"]: u for u in data["units"]}


def test_county_sample_builds_cleanly_and_prints_the_ranking(county):
    code, output, data = county
    assert code == 0, output
    assert "【镇街】12个单位，满分100" in output and "【部门】8个单位，满分100" in output
    assert "数据问题：无" in output
    lines = [line.split() for line in output.splitlines() if line.startswith("  1 ")]
    assert len(lines) == 2                                  # a first place in each category
    assert set(data["assessment"]) >= {"name", "year", "as_of", "schedule"}
    assert data["assessment"]["as_of"] == "2026-09-30" and data["assessment"]["schedule"] == 0.75
    for unit in data["units"]:
        assert UNIT_KEYS <= set(unit)
        for ind in unit["indicators"]:
            assert INDICATOR_KEYS <= set(ind)
    # what tzreport mail reads: each unit's address and its own files, relative to results.json
    town = units_by_name(data)["金鸡乡"]
    assert town["email"].endswith("@qingfeng.gov.cn") and town["contact"]
    assert town["files"] == {"annotated": "批注/金鸡乡.xlsx", "notice": "通知/金鸡乡.docx"}


def test_mid_year_build_leaves_social_evaluation_out_and_stays_on_scale(county):
    code, output, data = county
    assert "“群众满意度调查”（ZB15，60分）暂无评分数据，本次对所有单位不计，“社会评价”按本大类其余指标折算" in output
    assert {(e["category"], e["code"]) for e in data["excluded_indicators"]} == {("镇街", "ZB15"),
                                                                              ("部门", "BM07")}
    infos = [i for i in data["issues"] if i["severity"] == "info"]
    # the two indicators left out; 城关镇's 全国文明村镇 declared at 国家级 and 省级, counted once
    assert [i["sheet"] for i in infos] == ["加分申报", "考核办评分", "考核办评分"]
    for unit in data["units"]:
        scores = {i["code"]: i["score"] for i in unit["indicators"]}
        if unit["category"] == "镇街":
            # SPEC 3.7 (大类 目标任务 80, 社会评价 20): ZB15 (60 of 社会评价's 100) is left out inside
            # its part, so 社会评价 = 20 × ZB16/40; 目标任务's 分值 add to 80, so it is Σ its scores.
            assert unit["scale"] == 1.0                                 # both parts still apply
            assert unit["subtotals"]["社会评价"] == pytest.approx(20 * scores["ZB16"] / 40)
            assert unit["subtotals"]["目标任务"] == pytest.approx(
                sum(v for k, v in scores.items() if k not in ("ZB15", "ZB16")))
        else:
            assert unit["scale"] == pytest.approx(100 / 90)          # 部门: 100 − 10 (BM07) applies
            assert unit["base"] == pytest.approx(unit["raw_score"] * 100 / 90)
        zb15 = [i for i in unit["indicators"] if i["code"] in ("ZB15", "BM07")]
        assert all(i["status"] == "暂无数据" and i["light"] is None for i in zb15)
        assert sum(unit["subtotals"].values()) == pytest.approx(unit["base"])
        assert unit["total"] == pytest.approx(unit["base"] + unit["bonus"] - unit["deduction"])


def test_county_sample_grades_follow_the_seed_rules(county):
    _, _, data = county
    towns = [u for u in data["units"] if u["category"] == "镇街"]
    best = [u for u in towns if u["grade"] == "优秀"]
    # one per 分组 (the group's best eligible unit) plus 5% of 12 rounded up = 1 by overall order
    assert len(best) == 4
    assert sorted(u["group"] for u in best if "第1名" in u["grade_note"]) == ["城市发展区", "工业发展区",
                                                                            "生态发展区"]
    units = units_by_name(data)
    assert units["白马镇"]["veto"] == "否优" and units["白马镇"]["grade"] != "优秀"
    assert units["金鸡乡"]["veto"] == "是" and units["金鸡乡"]["grade"] == "较差"
    assert "取消当年评优评先资格，由县纪委监委依规依纪追责问责" in units["金鸡乡"]["consequences"]
    assert units["柳河镇"]["history"] == {"2024": "一般", "2025": "一般", "2026": "一般"}
    assert "对领导班子进行组织调整" in units["柳河镇"]["consequences"]          # 连续两年一般
    assert units["县自然资源局"]["grade"] == "较差"                             # 党风廉政 未完成 → 否决
    # 城关镇 claimed 全国文明村镇 twice (国家级, 省级): counted once at 2 points
    assert units["城关镇"]["honor_items"] == [{"item": "全国文明村镇", "level": "国家级", "points": 2}]


def test_city_folder_sample_builds(city):
    code, output, data = city
    assert code == 0, output
    assert len(data["units"]) == 14 and data["assessment"]["schedule"] == 1.0
    grades = [u["grade"] for u in data["units"]]
    assert grades.count("好") == 3                    # 20% of 14 = 2.8 → 3
    assert grades.count("较好") <= 5                  # 40% of 14 = 5.6 → 5 (向下)
    units = units_by_name(data)
    assert units["凤台区"]["indicators"][6]["status"] == "不适用"  # no 农村居民收入 target
    assert units["凤台区"]["scale"] == pytest.approx(100 / 94)
    assert units["静乐县"]["grade"] == "差" and units["静乐县"]["veto"] == "是"
    last = max(u["rank"] for u in data["units"])
    assert all("对单位主要负责人进行诫勉谈话，促其限期改进" in u["consequences"]
               for u in data["units"] if u["rank"] == last)
    # "1,234.5", full-width digits and "85.1%" in the submissions were read as numbers
    assert isinstance(units["凤台区"]["indicators"][1]["actual"], float)
    assert isinstance(units["安泽县"]["indicators"][7]["actual"], float)
    assert isinstance(units["临川县"]["indicators"][10]["actual"], float)


def test_as_of_overrides_the_scheme_date(tmp_path):
    code, output = run("build", SAMPLES / "input.xlsx", "-o", tmp_path, "--as-of", "2026-06-30", "-q")
    data = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert data["assessment"]["as_of"] == "2026-06-30" and data["assessment"]["schedule"] == 0.5
    assert "序时进度50.0%" in output
    zb02 = units_by_name(data)["城关镇"]["indicators"][1]
    assert zb02["code"] == "ZB02" and zb02["target_prorated"] == pytest.approx(zb02["target"] * 0.5)


def test_bad_date_option_is_a_clear_error(tmp_path):
    code, output = run("build", SAMPLES / "input.xlsx", "-o", tmp_path, "--as-of", "9月30日")
    assert code == 2 and "YYYY-MM-DD" in output


def test_nothing_built_exits_2_with_a_chinese_message(tmp_path):
    (tmp_path / "x.xlsx").write_bytes(b"not a workbook")
    code, output = run("build", tmp_path / "x.xlsx", "-o", tmp_path / "out")
    assert code == 2
    assert "找不到考核方案" in output and "Traceback" not in output


def test_problems_give_exit_code_1_and_are_listed(tmp_path):
    from helpers import write_all, write_submission
    folder = write_all(tmp_path / "in", skip=("龙泉镇",))
    write_submission(folder, "龙泉镇", {"I01": "约1200", "I02": "完成"})
    code, output = run("build", folder, "-o", tmp_path / "out")
    assert code == 1
    assert 'in/报表/龙泉镇.xlsx 指标完成情况!G4: I01 一般公共预算收入："约1200" 不是数字' in output


def test_default_output_folder_is_named_after_the_input_and_beside_it(tmp_path):
    from helpers import write_all
    folder = write_all(tmp_path / "in")
    code, _ = run("build", folder)
    assert code == 0 and (tmp_path / "in-结果" / "results.json").exists()
    assert not (folder / "in-结果").exists()
    book = tmp_path / "汇总表.xlsx"
    book.write_bytes((SAMPLES / "input.xlsx").read_bytes())
    code, _ = run("check", book)
    assert (tmp_path / "汇总表-结果" / "审核结果.xlsx").exists()
    for _ in range(2):       # an output folder inside the input folder is not read back as input
        code, output = run("build", folder, "-o", folder / "结果")
        assert code == 0, output
    # neither the old default name nor the new one inside an input folder is read as input
    shutil.rmtree(folder / "结果")
    for name in ("tzreport-out", "旧-结果"):
        (folder / name).mkdir()
        (folder / name / "x.xlsx").write_bytes(b"not a workbook")
    code, output = run("build", folder, "-o", tmp_path / "out")
    assert code == 0, output


def test_rebuild_into_the_same_folder_removes_only_our_own_stale_outputs(tmp_path):
    out = tmp_path / "结果"
    code, output = run("build", SAMPLES / "input.xlsx", "-o", out, "-q")
    assert code == 0, output
    assert len(list((out / "批注").glob("*.xlsx"))) == 20 and len(list((out / "通知").glob("*.docx"))) == 20
    (out / "通知" / "城关镇.pdf").write_bytes(b"%PDF-1.4 ours: --pdf beside the notice")
    foreign = [out / "领导批示.docx", out / "批注" / "手工整理.xlsx", out / "通知" / "说明.txt"]
    for path in foreign:
        path.write_bytes(b"the clerk's own file")
    code, output = run("build", SAMPLES / "市考", "-o", out, "-q")
    assert code == 0, output
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    names = {u["name"] for u in data["units"]}
    assert len(names) == 14
    assert {p.stem for p in (out / "批注").glob("*.xlsx")} == names | {"手工整理"}
    assert {p.stem for p in (out / "通知").glob("*.docx")} == names
    assert not (out / "通知" / "城关镇.pdf").exists()           # the PDF of a removed notice goes too
    assert all(path.read_bytes() == b"the clerk's own file" for path in foreign)
    # 20 批注 + 20 通知 + 1 PDF of the county sample; 进展通报.docx is written again by the city one
    assert "已删除上次生成、本次不再有的41份文件" in output
    assert data["documents"] == ["进展通报.docx"] or "进展通报.docx" in data["documents"]


def test_help_ends_with_runnable_examples():
    code, output = run("build", "--help")
    assert code == 0 and "tzreport build sample_workbooks/input.xlsx" in output


# click's own English, which a clerk must never meet in the terminal
CLICK_WORDS = ("Usage", "Options", "Error", "Missing", "argument", "does not exist", "Show this message",
               "Commands", "Try", "Invalid value", "No such", "is not a valid", "required", "default",
               "version", "Aborted", "TEXT", "INTEGER", "PATH", "DIRECTORY", "FILE", "INPUTS", "OUT_DIR",
               "SCHEME", "Positional", "requires an argument", "Got unexpected", "for help")
COMMANDS = ("build", "check", "template", "mail", "word-templates")


def english_in(output: str) -> list:
    return [word for word in CLICK_WORDS if word.lower() in output.lower()]


@pytest.mark.parametrize("args", [
    (), ("--help",), ("-h",), ("--version",), ("nonsense",), ("build", "--bogus"),
    *[(command,) for command in COMMANDS], *[(command, "--help") for command in COMMANDS],
    ("build", "没有这个文件.xlsx"), ("check", "没有这个文件夹"), ("template", "没有.xlsx", "-o", "x"),
    ("mail", "没有这个文件夹", "--sender", "a@b.cn", "--dry-run"), ("mail", SAMPLES, "--port"),
    ("build", SAMPLES / "input.xlsx", "-j", "两个"), ("build", SAMPLES / "input.xlsx", "--as-of"),
    ("template", SAMPLES / "市考"), ("mail", SAMPLES, "--sender", "a@b.cn", "--port", "x"),
])
def test_no_english_of_click_reaches_the_clerk(args):
    code, output = run(*args)
    # our own names stay: the program, its commands, options (--help), file names and addresses
    visible = re.sub(r"--?[a-z][a-z-]*|[\w.]+@[\w.]+|[\w/]+\.(xlsx|docx|txt|json|eml|csv)|tzreport",
                     "", output)
    for command in COMMANDS:
        visible = visible.replace(command, "")
    assert not english_in(visible), (args, output)
    assert output.strip()
    if args in ((), ("--help",)):
        assert "用法：" in output and "选项：" in output and "命令：" in output and "显示本帮助并退出" in output
    elif "--help" in args or args == ("-h",) or args == ("--version",):
        assert code == 0
    else:
        assert code == 2 and "错误：" in output, output


def test_missing_path_and_argument_messages_are_chinese():
    code, output = run("build", "没有这个文件.xlsx")
    assert code == 2 and "错误：找不到文件或文件夹“没有这个文件.xlsx”" in output
    assert "用法：tzreport build [选项] 输入..." in output
    code, output = run("build")
    assert code == 2 and "错误：缺少参数“输入...”" in output
    code, output = run("template", SAMPLES / "市考", "-o", "x")
    assert code == 2 and "“" in output and "是文件夹，这里要的是文件" in output
    code, output = run("build", SAMPLES / "input.xlsx", "-j", "两个")
    assert code == 2 and "-j / --jobs：“两个”不是整数" in output


def test_terminal_ranking_counts_red_lights_only_of_units_that_reported():
    """SPEC 4.1: a unit that sent nothing is "未报送", not "红灯11项" (its blank values light red
    in the scoring, but that says nothing about its work)."""
    from types import SimpleNamespace as NS

    from tzreport.cli import ranking_lines
    units = [NS(category="镇街", name="白马镇", rank=1, total=92.456, grade="优秀", submitted=True,
                veto="否", reds=2),
             NS(category="镇街", name="柳河镇", rank=2, total=40.0, grade="较差", submitted=False,
                veto="否", reds=11)]
    lines = ranking_lines(NS(categories=["镇街"], units=units, full_scores={"镇街": 100.0}))
    assert lines[0] == "【镇街】2个单位，满分100"
    assert lines[2].rstrip().endswith("红灯2项") and "92.46" in lines[2]
    assert lines[3].rstrip().endswith("未报送") and "红灯" not in lines[3]
