"""Texts the case service writes into a case's history, which the filer reads with /status
(Simplified Chinese; plain text, escaped by whoever shows it)."""

TRANSFER_PUBLIC = "转交{unit}办理。原因：{reason}"
REOPENED_PUBLIC = "您对办理结果不满意，已重新交办。"
CLOSED_PUBLIC_UNRATED = "本件已办结（回访期满，自动办结）。"
CLOSED_PUBLIC_RATED = "本件已办结（回访已完成）。"
