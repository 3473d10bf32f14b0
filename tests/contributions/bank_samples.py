"""Bank statement files for the tests: CAMT.053 built from the ISO 20022 camt.053.001.02
structure, and a bank's CSV export."""

from xml.sax.saxutils import escape

NS = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"


def entry(
    amount,
    *,
    credit=True,
    day="2026-01-10",
    name="",
    ref="",
    ustrd="",
    acct_ref="",
    currency="EUR",
    ntry_ref="",
):
    party = "Dbtr" if credit else "Cdtr"
    remittance = ""
    if ref:
        remittance = f"<Strd><CdtrRefInf><Ref>{escape(ref)}</Ref></CdtrRefInf></Strd>"
    if ustrd:
        remittance += f"<Ustrd>{escape(ustrd)}</Ustrd>"
    return f"""
    <Ntry>
      {f"<NtryRef>{ntry_ref}</NtryRef>" if ntry_ref else ""}
      <Amt Ccy="{currency}">{amount}</Amt>
      <CdtDbtInd>{"CRDT" if credit else "DBIT"}</CdtDbtInd>
      <Sts>BOOK</Sts>
      <BookgDt><Dt>{day}</Dt></BookgDt>
      <ValDt><Dt>{day}</Dt></ValDt>
      {f"<AcctSvcrRef>{acct_ref}</AcctSvcrRef>" if acct_ref else ""}
      <BkTxCd/>
      <NtryDtls><TxDtls>
        <RltdPties><{party}><Nm>{escape(name)}</Nm></{party}></RltdPties>
        {f"<RmtInf>{remittance}</RmtInf>" if remittance else ""}
      </TxDtls></NtryDtls>
    </Ntry>"""


def camt(*entries, statement_id="STMT-2026-01", iban="ES9121000418450200051332", ns=NS) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="{ns}">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>MSG-1</MsgId><CreDtTm>2026-01-31T18:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>{statement_id}</Id>
      <CreDtTm>2026-01-31T18:00:00</CreDtTm>
      <Acct><Id><IBAN>{iban}</IBAN></Id></Acct>
      {"".join(entries)}
    </Stmt>
  </BkToCstmrStmt>
</Document>
""".encode()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Document><BkToCstmrStmt><Stmt><Id>&lol4;</Id></Stmt></BkToCstmrStmt></Document>
"""


def bank_csv(rows) -> bytes:
    """A Spanish bank's export: ';' between columns, decimal comma, day/month/year."""
    lines = ["Fecha;Importe;Ordenante;Concepto;Referencia"]
    lines += [";".join(row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


CSV_MAPPING = {
    "name": "Banc Sabadell",
    "delimiter": ";",
    "decimal_separator": ",",
    "date_format": "%d/%m/%Y",
    "date_column": "Fecha",
    "amount_column": "Importe",
    "currency_column": "",
    "currency": "EUR",
    "name_column": "Ordenante",
    "reference_column": "Concepto",
    "entry_id_column": "Referencia",
}
