"""Online exam delivery (ISO/IEC 17024 9.2, 9.3, 7.4; rules R14, R17, R18).

Sessions and seats, the entry gate, the server-owned clock, autosave into an append-only answer
log, invigilation, scoring, key validation and the release of results into the assessment record.
Pure computations (`clock`, `ordering`, `responses`, `scoring`, `key_validation`) take everything
as parameters; the other modules are services, selectors and views.
"""
