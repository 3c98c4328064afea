"""Renderers: the only code that knows about openpyxl, xlsxwriter and docx.

Every renderer takes the same ``BuildResult``. ``annotate`` writes 批注/<单位>.xlsx, ``summary``
writes 汇总.xlsx, ``template`` writes blank submissions, ``review`` writes the 审核结果 of ``check``.
"""
