"""The web page's own words (labels, buttons) in English and Chinese; the results speak for themselves
in the language the CLI prints them in."""
from __future__ import annotations

UI: dict[str, dict[str, str]] = {
    "en": {
        "title": "symderiv — step-by-step derivatives",
        "tagline": "Paste a loss as you write it in your notes; read the gradient derived step by step.",
        "derive": "Derive", "verify": "Verify", "analyze": "Analyze", "optimize": "Optimize",
        "latex": "Formula (LaTeX)",
        "latex_verify": "Function (LaTeX; may stay empty when the derivation's first line names it)",
        "where": "where (one definition a line)", "wrt": "with respect to",
        "wrt_hint": "e.g. theta or w,b (empty: the function's arguments)",
        "hessian": "Hessian too", "claim": "claimed derivative (LaTeX)",
        "steps": "or a derivation, one line per step (align / $$ lines)", "start": "start, e.g. -1,1",
        "go": "Work it out", "preview": "Preview", "steps_label": "Steps", "copy_latex": "copy LaTeX",
        "copy_md": "copy Markdown", "copied": "copied", "working": "working…", "lang": "Language",
        "example": "seed example", "offline": "Runs on this computer; nothing is loaded from the network.",
        "picture": "Picture", "share": "link to this result",
    },
    "zh": {
        "title": "symderiv — 分步求导",
        "tagline": "像写笔记一样粘贴损失函数，逐步看到梯度的推导。",
        "derive": "求导", "verify": "验证", "analyze": "分析", "optimize": "优化",
        "latex": "公式（LaTeX）", "latex_verify": "函数（LaTeX；推导第一行已写明函数时可留空）",
        "where": "其中（每行一个定义）", "wrt": "对…求导",
        "wrt_hint": "例如 theta 或 w,b（留空：函数的自变量）",
        "hessian": "同时求 Hessian 矩阵", "claim": "待验证的导数（LaTeX）",
        "steps": "或一段推导，每行一步（align 或 $$ 行）", "start": "起点，例如 -1,1",
        "go": "开始计算", "preview": "预览", "steps_label": "步骤", "copy_latex": "复制 LaTeX",
        "copy_md": "复制 Markdown", "copied": "已复制", "working": "计算中…", "lang": "语言",
        "example": "示例", "offline": "在本机运行，不从网络加载任何内容。",
        "picture": "图", "share": "本结果的链接",
    },
}
