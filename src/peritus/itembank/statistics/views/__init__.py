"""Back-office pages of exam statistics and standard setting. Thin: parse, check access, call a
service, show the result.

* `statistics_pages`: a bank's and a form's statistics, paper answer sheets, analyses, reports
  (psychometricians of the scheme; item-level figures include keys);
* `review_pages`: the dashboard of reviews and studies, and a review (readers: psychometricians,
  scheme manager and committee, quality manager, accreditation assessors);
* `study_pages`: a standard-setting study (facilitator, approvers, readers) and the judge's own
  rating pages.
"""
