"""The generated evaluator: deterministic, free of user text, sandboxed, traceable, and scalable."""

from __future__ import annotations

import io
import linecache
import re
import tokenize
from decimal import Decimal

import perfrules
from perfrules import runtime

D = Decimal

SAMPLE = """
framework "样例框架 \\"quoted\\" __import__('os').system('echo pwned')" {
  counting per full step
  not applicable rescale
  total 100 capped
  grades { 优秀 >= 90; "Good \\"enough\\"" >= 80; 差 otherwise }
  veto if __import__: at most "Good \\"enough\\""
}
inputs {
  __import__: bool "exec('import os') 描述"
  open_file_x: percent unit "__builtins__" "eval(\\"1+1\\")\\n换行"
  quality: level("__import__('os').system('x')", "好\\"坏", 差) "getattr(object, '__subclasses__')"
  honours: awards("globals()['K']", 国务院嘉奖) "荣誉"
  n_problems: count
}
Q__import__.system "__import__('subprocess').call('ls')" 60 {
  description "lambda: __import__('os') \\"\\n\\""
  criterion "每降低5%扣2分；';import sys;'"
  Q1_eval "exec(compile('1','',''))" 20 {
    threshold open_file_x >= 99% full, each 5% lower deduct 2, zero if < 60%
  }
  Q2.open "打开 open('/etc/passwd')" 20 {
    levels quality { "__import__('os').system('x')": 20, "好\\"坏": 50%, 差: 0 }
  }
  Q3-x "breakpoint()" 20 {
    combine sum {
      part 10: full if not __import__
      part 10: deduct 2 per n_problems, at most 10
    }
  }
}
R_sys.modules "sys.modules['os']" 40 {
  bands open_file_x { >= 85%: full; [60%, 85%): 20; < 60%: 0 }
}
bonus Z__class__ "().__class__.__bases__[0]" 5 {
  awards honours highest per item { "globals()['K']": 3, 国务院嘉奖: 2 }
}
"""

USER_TEXTS = [
    "样例框架",
    "__import__",
    "'os'",
    "pwned",
    "quoted",
    "exec(",
    "eval(",
    "换行",
    "getattr",
    "__subclasses__",
    "globals()",
    "国务院嘉奖",
    "subprocess",
    "lambda",
    "passwd",
    "breakpoint",
    "sys.modules",
    "__class__",
    "__bases__",
    "Q__import__",
    "Q1_eval",
    "Q2.open",
    "Q3-x",
    "R_sys",
    "Z__class__",
    "open_file_x",
    "quality",
    "honours",
    "n_problems",
    "Good",
    "优秀",
    "好",
    "差",
    "描述",
    "荣誉",
    "每降低",
    "import sys",
]


def sample_values():
    return {
        "__import__": False,
        "open_file_x": "94%",
        "quality": '好"坏',
        "honours": [{"item": "甲", "award": "globals()['K']"}, {"item": "乙", "award": "国务院嘉奖"}],
        "n_problems": 1,
    }


def test_sample_framework_scores():
    """The hostile-looking sample is an ordinary framework and scores as its rules say."""
    result = perfrules.loads(SAMPLE).score(sample_values())
    # Q1: 94% is one 5% step below 99%: 18; Q2: 50% of 20 = 10; Q3: 10 + (10 - 2) = 18
    assert result["Q1_eval"].score == D(18)
    assert result["Q2.open"].score == D(10)
    assert result["Q3-x"].score == D(18)
    assert result["Q__import__.system"].score == D(46)
    # R: 94% is in the band >= 85%: 40; bonus 3 + 2 = 5; 46 + 40 + 5 = 91
    assert result["R_sys.modules"].score == D(40)
    assert result["Z__class__"].score == D(5)
    assert result.total == D(91)
    assert result.grade == "优秀"


def test_loading_twice_gives_identical_source():
    """Loading the same text twice generates byte-identical Python source."""
    first = perfrules.loads(SAMPLE).python_source
    second = perfrules.loads(SAMPLE).python_source
    assert first.encode("utf-8") == second.encode("utf-8")


def test_nanjing_framework_source_is_deterministic():
    """The shipped framework compiles to the same source every time."""
    first = perfrules.load("frameworks/nanjing-2024").python_source
    second = perfrules.load("frameworks/nanjing-2024").python_source
    assert first == second


def test_no_user_text_in_generated_source():
    """No name, code, description, label or string a rule author wrote appears in the source."""
    source = perfrules.loads(SAMPLE).python_source
    present = [text for text in USER_TEXTS if text in source]
    assert present == []
    assert source.isascii()
    # The only string literals are the fact tags the evaluator records ('met', 'short', …).
    literals = {
        token.string
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type == tokenize.STRING
    }
    assert all(re.fullmatch(r"'[a-z]+'", literal) for literal in literals), literals


def test_no_user_text_in_nanjing_source():
    """The shipped framework's Chinese names and codes do not reach its generated source."""
    fw = perfrules.load("frameworks/nanjing-2024")
    source = fw.python_source
    assert source.isascii()
    for code in fw.codes:
        node = fw[code]
        assert node.name not in source
        if node.description:
            assert node.description not in source
    for name in fw.inputs:
        assert name not in source


def test_generated_function_has_no_builtins():
    """The generated function runs with empty __builtins__ and only the runtime's names."""
    fw = perfrules.loads(SAMPLE)
    namespace = fw._evaluator.function.__globals__
    assert namespace["__builtins__"] == {}
    assert set(namespace) <= {"__builtins__", "K", "evaluate"} | set(runtime.EXPORTED)


def test_linecache_holds_the_generated_source():
    """linecache serves the generated source under the evaluator's filename (for tracebacks)."""
    fw = perfrules.loads(SAMPLE)
    filename = fw._evaluator.filename
    assert linecache.getlines(filename) == fw.python_source.splitlines(True)
    assert fw._evaluator.function.__code__.co_filename == filename


def test_evaluator_filenames_are_named_by_content():
    """The same framework always gets the same evaluator filename (so failures inside it
    reproduce), and a different framework a different one, so linecache entries never
    collide."""
    first = perfrules.loads(SAMPLE)._evaluator.filename
    second = perfrules.loads(SAMPLE)._evaluator.filename
    other = perfrules.loads(SAMPLE.replace("total 100 capped", "total 100 uncapped"))._evaluator.filename
    assert first == second
    assert other != first


def test_many_bands_compile_and_score():
    """A bands table of 300 rows compiles and picks the right row at and between its ends."""
    rows = "; ".join(f"[{i}, {i + 1}): {i}" for i in range(299))
    text = (
        'framework "t" { counting per full step }\n'
        "inputs { n: count }\n"
        f'A "a" 300 {{ bands n {{ {rows}; >= 299: full }} }}\n'
    )
    fw = perfrules.loads(text)
    assert fw.score({"n": 0})["A"].score == D(0)
    assert fw.score({"n": 150})["A"].score == D(150)
    assert fw.score({"n": 298})["A"].score == D(298)
    assert fw.score({"n": 299})["A"].score == D(300)
    assert fw.score({"n": 5000})["A"].score == D(300)


def test_many_indicators_compile_and_score():
    """A framework of 2000 leaves under 20 inner nodes compiles and scores every leaf."""
    tops = []
    for t in range(20):
        leaves = "\n".join(
            f'  T{t}L{k} "leaf" 1 {{ full if {"a" if k % 2 == 0 else "b"} }}' for k in range(100)
        )
        tops.append(f'T{t} "top" 100 {{\n{leaves}\n}}')
    text = (
        'framework "t" { counting per full step }\n'
        "inputs { a: bool; b: bool }\n" + "\n".join(tops) + "\n"
    )
    fw = perfrules.loads(text)
    assert len(fw.codes) == 2020
    both = fw.score({"a": True, "b": True})
    assert both.total == D(2000)
    half = fw.score({"a": True, "b": False})
    assert half.total == D(1000)
    assert half["T7"].score == D(50)
    assert half["T19L98"].score == D(1)
    assert half["T19L99"].score == D(0)
