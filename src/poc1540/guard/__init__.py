"""The confidentiality guard stage: scan every published output for anything that could reveal a respondent.

- :mod:`.command`: ``poc1540 guard`` (options, parameters, printing, the receipt);
- :mod:`.audit`: :func:`~poc1540.guard.audit.audit` and :func:`~poc1540.guard.audit.scan`, and
  the guard's documentation (what is published, the scope, the rules);
- :mod:`.scope`: which outputs are published and which are State-level (only what is declared);
- :mod:`.extract`: one reader per format, files to text segments;
- :mod:`.rules`: the checks applied to the segments;
- :mod:`.model`: the records (leak, segment, audit) and rule names;
- :mod:`.pdftext`: a PDF's page text, through PDFium.

The guard imports only :mod:`poc1540.core`, :mod:`poc1540.errors` and third-party libraries.
"""
