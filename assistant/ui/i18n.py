"""A small dict-based translator: Dutch by default, English on request (sidebar toggle, per session)."""

from __future__ import annotations

from typing import Any, Literal

Lang = Literal["nl", "en"]
LANGS: tuple[Lang, ...] = ("nl", "en")
SESSION_KEY = "ui_english"  # the sidebar toggle's widget key: True means English

TEXTS: dict[Lang, dict[str, str]] = {
    "nl": {
        "app.title": "Beleidsassistent",
        "lang.toggle": "English",
        "nav.chat": "Vragen",
        "nav.documents": "Documenten",
        "nav.eval": "Evaluatie",
        "nav.about": "Over / Instellingen",
        "plugin.broken": "Het onderdeel '{name}' kon niet worden geladen en ontbreekt; de rest werkt gewoon.",
        "loading": "Modellen en index laden…",
        # chat
        "chat.caption": "Stel een vraag over de beleidsdocumenten. Elk antwoord komt letterlijk uit de "
        "documenten en verwijst met [1], [2] … naar de bron, zodat u het kunt nagaan.",
        "chat.placeholder": "Stel uw vraag, bijv. In welk jaar is Den Haag lid geworden van EFUS?",
        "chat.examples": "Voorbeeldvragen",
        "chat.thinking": "Zoeken in de documenten…",
        "chat.failed": "Er ging iets mis bij het beantwoorden. Probeer het opnieuw; blijft het misgaan, meld het "
        "dan aan de beheerder.",
        "chat.no_documents": "Er zijn nog geen documenten ingelezen. Voeg ze toe op de pagina Documenten.",
        "chat.sources": "Bronnen",
        "chat.page": "p. {page}",
        "chat.download": "Origineel downloaden{page}",
        "chat.view": "Bekijk document",
        "ui.choose": "Kies een optie",
        "chat.view.page": "Pagina (van {n})",
        "chat.view.parts": "Deel (van {n})",
        "chat.view.cited": "De passage van bron [{n}] is gemarkeerd.",
        "chat.view.gone": "Dit document is niet meer beschikbaar (verwijderd of geen toegang).",
        "chat.heading": "Kop: {path}",
        "chat.score": "relevantie {score:.2f}",
        "chat.abstain.title": "Dit staat niet in de documenten.",
        "chat.abstain.body": "Ik heb geen passage gevonden die deze vraag beantwoordt, dus ik geef geen "
        "antwoord in plaats van te gokken. Probeer de vraag anders te formuleren of controleer de filters.",
        "chat.abstain.closest": "Het dichtst in de buurt komen:",
        "chat.searched": "Vervolgvraag; gezocht als: {query}",
        "chat.briefing": "Briefing over: {topic} (samengesteld zoals op de pagina Briefing)",
        "chat.unverified": "{m} van {n} zinnen konden niet in de bronnen worden teruggevonden (gemarkeerd met ⚠).",
        "chat.filters": "Filters",
        "chat.filter.docs": "Documenten",
        "chat.filter.all": "Alle",
        "chat.filter.types": "Soort document",
        "chat.filter.years": "Jaar",
        "chat.filter.years_note": "Met een jaarfilter vallen documenten zonder datum weg.",
        "chat.filter.active": "Filter actief: er wordt alleen in de gekozen documenten gezocht.",
        "chat.new": "Nieuw gesprek",
        "chat.export": "Gesprek exporteren",
        "chat.export.md": "Markdown (.md)",
        "chat.export.docx": "Word (.docx)",
        "chat.export.empty": "Nog niets om te exporteren.",
        "feedback.question": "Was dit antwoord nuttig?",
        "feedback.comment": "Toelichting (optioneel)",
        "feedback.send": "Feedback versturen",
        "feedback.thanks": "Bedankt voor uw feedback.",
        # documents
        "docs.caption": "Alle ingelezen documenten. Nieuwe documenten toevoegen, verwijderen of alles opnieuw "
        "indexeren kan hieronder.",
        "docs.count": "{docs} documenten, {chunks} passages",
        "docs.col.title": "Titel",
        "docs.col.file": "Bestand",
        "docs.col.type": "Soort",
        "docs.col.date": "Datum",
        "docs.col.pages": "Pagina's",
        "docs.col.chunks": "Passages",
        "docs.col.status": "Status",
        "docs.col.warnings": "Waarschuwingen",
        "docs.col.error": "Fout",
        "docs.none": "Nog geen documenten. Upload hieronder bestanden of klik op 'Opnieuw indexeren'.",
        "docs.failed": "Bestanden die niet konden worden ingelezen",
        "docs.upload": "Documenten toevoegen",
        "docs.upload.label": "Kies bestanden (pdf, txt, md, docx, html; max. {mb} MB per bestand)",
        "docs.upload.go": "Toevoegen en inlezen",
        "docs.upload.bad_type": "'{name}' is geweigerd: bestandstype '{ext}' wordt niet ondersteund. "
        "Toegestaan: {allowed}.",
        "docs.upload.too_big": "'{name}' is geweigerd: {size:.1f} MB is groter dan de limiet van {mb} MB.",
        "docs.upload.empty": "'{name}' is geweigerd: het bestand is leeg.",
        "docs.upload.none": "Kies eerst een of meer bestanden.",
        "docs.upload.removed": "'{name}' is niet bewaard: het kon niet worden ingelezen (zie hierboven).",
        "docs.progress": "Inlezen: {done} van {total}",
        "docs.rate": "{chunks} passages, {rate:.1f} per seconde",
        "docs.eta": "nog ongeveer {minutes}:{seconds:02d}",
        "docs.result": "{source}: {status}",
        "docs.done": "Klaar: {new} nieuw of bijgewerkt, {unchanged} ongewijzigd, {failed} mislukt.",
        "docs.read_again": "{n} opgeslagen document(en) opnieuw gelezen ({reason}).",
        "docs.out_of_date": "{n} opgeslagen document(en) verouderd ({reason}): de volgende herindexering leest ze "
        "opnieuw en berekent vectoren voor de passages die veranderen.",
        "status.ingested": "ingelezen",
        "status.updated": "bijgewerkt",
        "status.unchanged": "ongewijzigd",
        "status.duplicate": "dubbel (zelfde inhoud als een ander bestand)",
        "status.failed": "mislukt",
        "status.skipped": "overgeslagen",
        "status.removed": "verwijderd",
        "docs.delete": "Document verwijderen",
        "docs.delete.pick": "Document",
        "docs.delete.placeholder": "Kies een document",
        "docs.delete.go": "Verwijderen…",
        "docs.delete.confirm": "Weet u zeker dat u '{title}' wilt verwijderen? Dit haalt het document uit de index.",
        "docs.delete.corpus_note": "Dit document komt uit de corpusmap en komt terug bij 'Opnieuw indexeren'.",
        "docs.delete.yes": "Ja, verwijderen",
        "docs.delete.no": "Annuleren",
        "docs.delete.done": "'{title}' is verwijderd ({chunks} {passages}).",
        "word.passage": "passage",
        "word.passages": "passages",
        "docs.reindex": "Opnieuw indexeren",
        "docs.reindex.caption": "Leest de corpusmap ({corpus}) en de uploadmap opnieuw in; ongewijzigde "
        "bestanden worden overgeslagen.",
        "docs.reread": "Ook ongewijzigde bestanden opnieuw lezen",
        "docs.reread.help": "Na een update die documenten beter leest: een document waarvan de tekst gelijk blijft, "
        "houdt zijn index; een document met andere tekst wordt opnieuw geïndexeerd.",
        "docs.search": "Zoekvoorbeeld",
        "docs.search.label": "Zoek passages (top 5)",
        "docs.search.none": "Geen passages gevonden.",
        # eval
        "eval.caption": "Draai een vragenset door dezelfde keten als de chat en bekijk de scores.",
        "eval.set": "Vragenset",
        "eval.upload": "Of upload een vragenset (.jsonl)",
        "eval.none": "Geen vragenset gevonden. Upload een .jsonl-bestand.",
        "eval.run": "Evaluatie starten",
        "eval.progress": "Vraag {done} van {total}: {label}",
        "eval.done": "Klaar in {seconds:.1f} s. Resultaten staan in {out}.",
        "eval.results": "Resultaten",
        "eval.pick_run": "Run",
        "eval.no_runs": "Nog geen runs. Start hierboven een evaluatie.",
        "eval.unfound": "{n} vraag/vragen hebben een bewijscitaat dat in geen enkele passage van de index staat, en "
        "tellen daardoor altijd als gemiste vondst: {ids}. Controleer die citaten tegen de tekst van het document "
        "(zie het rapport).",
        "eval.by_type": "Per vraagtype",
        "eval.by_type.metric": "Maat",
        "eval.questions": "Per vraag",
        "eval.col.id": "Vraag-id",
        "eval.col.type": "Type",
        "eval.col.question": "Vraag",
        "eval.col.ok": "Geslaagd",
        "eval.col.reasons": "Waarom niet",
        "eval.drill": "Details van een vraag",
        "eval.answer": "Antwoord",
        "eval.hits": "Gevonden passages",
        "eval.compare": "Twee runs vergelijken",
        "eval.compare.a": "Run A",
        "eval.compare.b": "Run B",
        "eval.compare.go": "Vergelijken",
        "eval.compare.need_two": "Er zijn minstens twee runs nodig om te vergelijken.",
        "metric.retrieval.evidence_recall@5": "Bewijs in de top 5",
        "metric.retrieval.evidence_recall@5.help": "Deel van de beantwoordbare vragen waarvan een bewijscitaat in een "
        "van de eerste vijf gevonden passages staat.",
        "metric.retrieval.mrr": "Positie van het bewijs",
        "metric.retrieval.mrr.help": "Gemiddelde van 1 / positie van de eerste passage met bewijs (1 = altijd "
        "bovenaan, 0,5 = gemiddeld tweede).",
        "metric.retrieval.fact_recall@5": "Feiten in de top 5",
        "metric.retrieval.fact_recall@5.help": "Deel van alle verwachte feiten dat in de eerste vijf gevonden passages "
        "staat: wat het antwoord kon noemen.",
        "metric.answer.fact_recall": "Genoemde feiten",
        "metric.answer.fact_recall.help": "Deel van alle verwachte feiten dat in de antwoorden staat.",
        "metric.answer.all_facts": "Volledige antwoorden",
        "metric.answer.all_facts.help": "Deel van de beantwoordbare vragen waarvan het antwoord alle verwachte feiten "
        "noemt.",
        "metric.citation.precision": "Juiste bronvermeldingen",
        "metric.citation.precision.help": "Deel van de bronvermeldingen [n] dat naar een juiste bron of een passage "
        "met bewijs wijst.",
        "metric.abstention.accuracy": "Terecht geweigerd",
        "metric.abstention.accuracy.help": "Deel van de onbeantwoordbare vragen waarop de assistent zegt dat het niet "
        "in de documenten staat.",
        "metric.abstention.false_rate": "Ten onrechte geweigerd",
        "metric.abstention.false_rate.help": "Deel van de beantwoordbare vragen waarop de assistent ten onrechte zegt "
        "dat het niet in de documenten staat (lager is beter).",
        "metric.latency.p50_ms": "Antwoordtijd (mediaan)",
        "metric.latency.p50_ms.help": "De helft van de antwoorden kwam sneller dan dit.",
        "metric.latency.p95_ms": "Antwoordtijd (p95)",
        "metric.latency.p95_ms.help": "95 % van de antwoorden kwam sneller dan dit.",
        "metric.citation.invalid": "Ongeldige bronvermeldingen",
        "metric.citation.invalid.help": "Bronvermeldingen naar passages die niet gevonden waren (hoort 0 te zijn).",
        "metric.retrieval.doc_recall@5": "Juiste document in de top 5",
        "metric.retrieval.doc_recall@5.help": "Deel van de vragen waarvan een bron in de eerste vijf passages "
        "voorkomt.",
        "metric.retrieval.evidence_recall@1": "Bewijs bovenaan",
        "metric.retrieval.evidence_recall@1.help": "Deel van de beantwoordbare vragen met het bewijs in de eerste "
        "passage.",
        "metric.retrieval.evidence_recall@3": "Bewijs in de top 3",
        "metric.retrieval.evidence_recall@3.help": "Deel van de beantwoordbare vragen met het bewijs in de eerste "
        "drie passages.",
        "metric.retrieval.evidence_recall@10": "Bewijs in de top 10",
        "metric.retrieval.evidence_recall@10.help": "Deel van de beantwoordbare vragen met het bewijs in de eerste "
        "tien passages.",
        "metric.n_questions": "Aantal vragen",
        "metric.n_questions.help": "Vragen in de set.",
        "eval.compare.col.metric": "Maat",
        "eval.compare.col.delta": "Verschil (B − A)",
        "eval.compare.col.verdict": "Oordeel",
        "eval.verdict.better": "beter",
        "eval.verdict.worse": "slechter",
        "eval.verdict.same": "gelijk",
        "eval.compare.failing": "Nu fout (goed in A, fout in B)",
        "eval.compare.passing": "Nu goed (fout in A, goed in B)",
        "eval.compare.none": "Geen.",
        "eval.compare.noise": "Antwoordtijden die minder dan 25 % verschillen gelden als gelijk: zo veel verschillen "
        "herhaalde runs met dezelfde antwoorden ook.",
        "eval.compare.questions_differ": "Vragen alleen in A: {a}; alleen in B: {b}.",
        # about
        "about.caption": "Welke modellen en instellingen deze installatie gebruikt.",
        "about.admins_only": "Deze pagina is voor beheerders.",
        "about.embedding": "Embeddingmodel",
        "about.store": "Opslag",
        "about.retrieval": "Zoekmethode",
        "about.llm": "Taalmodel (LLM)",
        "about.llm.none": "geen (extractief)",
        "about.corpus": "Corpus",
        "about.corpus.value": "{docs} documenten · {chunks} passages",
        "about.settings": "Alle instellingen",
        "about.col.name": "Naam",
        "about.col.value": "Waarde",
        "about.col.description": "Omschrijving",
        "about.privacy": "Alles draait lokaal: vragen, documenten en feedback verlaten deze computer niet.",
        # briefing
        "nav.briefing": "Briefing",
        "briefing.title": "Briefing voor een delegatie of bezoek",
        "briefing.caption": "Wat weet de organisatie al over een bestemming, netwerk of organisatie? Elke zin komt "
        "letterlijk uit de documenten en verwijst met [1], [2] … naar de bron.",
        "briefing.topic": "Onderwerp of bestemming",
        "briefing.placeholder": "bijv. Delegatie naar Brussel",
        "briefing.go": "Briefing maken",
        "briefing.examples": "Voorbeelden",
        "briefing.working": "Briefing wordt samengesteld…",
        "briefing.done": "Briefing klaar ({seconds:.1f} s)",
        "briefing.not_found": "Over dit onderwerp staat niets in de documenten.",
        "briefing.empty": "Vul eerst een onderwerp of bestemming in, bijvoorbeeld een stad, netwerk of organisatie.",
        "briefing.sources": "Bronnen",
        "briefing.download.md": "Markdown (.md)",
        "briefing.download.docx": "Word (.docx)",
    },
    "en": {
        "app.title": "Policy assistant",
        "lang.toggle": "English",
        "nav.chat": "Ask",
        "nav.documents": "Documents",
        "nav.eval": "Evaluation",
        "nav.about": "About / Settings",
        "plugin.broken": "The part '{name}' could not be loaded and is missing; everything else works as usual.",
        "loading": "Loading models and index…",
        "chat.caption": "Ask a question about the policy documents. Every answer is quoted from the documents "
        "and points to its source with [1], [2] … so you can check it.",
        "chat.placeholder": "Ask a question, e.g. In which year did The Hague join EFUS?",
        "chat.examples": "Example questions",
        "chat.thinking": "Searching the documents…",
        "chat.failed": "Something went wrong while answering. Try again; if it keeps failing, tell the administrator.",
        "chat.no_documents": "No documents have been ingested yet. Add them on the Documents page.",
        "chat.sources": "Sources",
        "chat.page": "p. {page}",
        "chat.download": "Download original{page}",
        "chat.view": "View document",
        "ui.choose": "Choose an option",
        "chat.view.page": "Page (of {n})",
        "chat.view.parts": "Part (of {n})",
        "chat.view.cited": "The passage of source [{n}] is marked.",
        "chat.view.gone": "This document is no longer available (deleted, or no access).",
        "chat.heading": "Heading: {path}",
        "chat.score": "relevance {score:.2f}",
        "chat.abstain.title": "The documents do not contain this.",
        "chat.abstain.body": "I found no passage that answers this question, so I give no answer rather than "
        "guess. Try rephrasing the question or check the filters.",
        "chat.abstain.closest": "Closest matches:",
        "chat.searched": "Follow-up; searched as: {query}",
        "chat.briefing": "Briefing on: {topic} (composed as on the Briefing page)",
        "chat.unverified": "{m} of {n} sentences could not be found in the sources (marked with ⚠).",
        "chat.filters": "Filters",
        "chat.filter.docs": "Documents",
        "chat.filter.all": "All",
        "chat.filter.types": "Document type",
        "chat.filter.years": "Year",
        "chat.filter.years_note": "A year filter leaves out documents without a date.",
        "chat.filter.active": "Filter active: only the selected documents are searched.",
        "chat.new": "New conversation",
        "chat.export": "Export conversation",
        "chat.export.md": "Markdown (.md)",
        "chat.export.docx": "Word (.docx)",
        "chat.export.empty": "Nothing to export yet.",
        "feedback.question": "Was this answer useful?",
        "feedback.comment": "Comment (optional)",
        "feedback.send": "Send feedback",
        "feedback.thanks": "Thank you for your feedback.",
        "docs.caption": "All ingested documents. Add documents, delete them or re-index everything below.",
        "docs.count": "{docs} documents, {chunks} passages",
        "docs.col.title": "Title",
        "docs.col.file": "File",
        "docs.col.type": "Type",
        "docs.col.date": "Date",
        "docs.col.pages": "Pages",
        "docs.col.chunks": "Passages",
        "docs.col.status": "Status",
        "docs.col.warnings": "Warnings",
        "docs.col.error": "Error",
        "docs.none": "No documents yet. Upload files below or click 'Re-index'.",
        "docs.failed": "Files that could not be read",
        "docs.upload": "Add documents",
        "docs.upload.label": "Choose files (pdf, txt, md, docx, html; max. {mb} MB each)",
        "docs.upload.go": "Add and ingest",
        "docs.upload.bad_type": "'{name}' was refused: file type '{ext}' is not supported. Allowed: {allowed}.",
        "docs.upload.too_big": "'{name}' was refused: {size:.1f} MB exceeds the limit of {mb} MB.",
        "docs.upload.empty": "'{name}' was refused: the file is empty.",
        "docs.upload.none": "Choose one or more files first.",
        "docs.upload.removed": "'{name}' was not kept: it could not be ingested (see above).",
        "docs.progress": "Ingesting: {done} of {total}",
        "docs.rate": "{chunks} passages, {rate:.1f} per second",
        "docs.eta": "about {minutes}:{seconds:02d} left",
        "docs.result": "{source}: {status}",
        "docs.done": "Done: {new} new or updated, {unchanged} unchanged, {failed} failed.",
        "docs.read_again": "{n} stored document(s) read again ({reason}).",
        "docs.out_of_date": "{n} stored document(s) out of date ({reason}): the next re-index reads them again "
        "and embeds the passages that change.",
        "status.ingested": "ingested",
        "status.updated": "updated",
        "status.unchanged": "unchanged",
        "status.duplicate": "duplicate (same content as another file)",
        "status.failed": "failed",
        "status.skipped": "skipped",
        "status.removed": "removed",
        "docs.delete": "Delete a document",
        "docs.delete.pick": "Document",
        "docs.delete.placeholder": "Choose a document",
        "docs.delete.go": "Delete…",
        "docs.delete.confirm": "Are you sure you want to delete '{title}'? This removes the document from the index.",
        "docs.delete.corpus_note": "This document comes from the corpus folder and returns on 'Re-index'.",
        "docs.delete.yes": "Yes, delete",
        "docs.delete.no": "Cancel",
        "docs.delete.done": "'{title}' was deleted ({chunks} {passages}).",
        "word.passage": "passage",
        "word.passages": "passages",
        "docs.reindex": "Re-index",
        "docs.reindex.caption": "Reads the corpus folder ({corpus}) and the upload folder again; unchanged "
        "files are skipped.",
        "docs.reread": "Also read unchanged files again",
        "docs.reread.help": "After an update that reads documents better: a document whose text stays the same keeps "
        "its index; one whose text changed is indexed again.",
        "docs.search": "Search preview",
        "docs.search.label": "Search passages (top 5)",
        "docs.search.none": "No passages found.",
        "eval.caption": "Run a question set through the same chain as the chat and look at the scores.",
        "eval.set": "Question set",
        "eval.upload": "Or upload a question set (.jsonl)",
        "eval.none": "No question set found. Upload a .jsonl file.",
        "eval.run": "Start evaluation",
        "eval.progress": "Question {done} of {total}: {label}",
        "eval.done": "Done in {seconds:.1f} s. Results are in {out}.",
        "eval.results": "Results",
        "eval.pick_run": "Run",
        "eval.no_runs": "No runs yet. Start an evaluation above.",
        "eval.unfound": "{n} question(s) have an evidence quote that no indexed passage holds, so they always count "
        "as retrieval misses: {ids}. Check those quotes against the document text (see the report).",
        "eval.by_type": "By question type",
        "eval.by_type.metric": "Metric",
        "eval.questions": "Per question",
        "eval.col.id": "Question id",
        "eval.col.type": "Type",
        "eval.col.question": "Question",
        "eval.col.ok": "Passed",
        "eval.col.reasons": "Why not",
        "eval.drill": "Question details",
        "eval.answer": "Answer",
        "eval.hits": "Retrieved passages",
        "eval.compare": "Compare two runs",
        "eval.compare.a": "Run A",
        "eval.compare.b": "Run B",
        "eval.compare.go": "Compare",
        "eval.compare.need_two": "At least two runs are needed to compare.",
        "metric.retrieval.evidence_recall@5": "Evidence in the top 5",
        "metric.retrieval.evidence_recall@5.help": "Share of answerable questions with an evidence quote in one of "
        "the first five passages found.",
        "metric.retrieval.mrr": "Rank of the evidence",
        "metric.retrieval.mrr.help": "Mean of 1 / rank of the first passage with evidence (1 = always first, 0.5 = "
        "second on average).",
        "metric.retrieval.fact_recall@5": "Facts in the top 5",
        "metric.retrieval.fact_recall@5.help": "Share of all expected facts that the first five passages found hold: "
        "what the answer could state.",
        "metric.answer.fact_recall": "Facts stated",
        "metric.answer.fact_recall.help": "Share of all expected facts that the answers state.",
        "metric.answer.all_facts": "Complete answers",
        "metric.answer.all_facts.help": "Share of answerable questions whose answer states every expected fact.",
        "metric.citation.precision": "Correct citations",
        "metric.citation.precision.help": "Share of the citations [n] that point at a right source or at a passage "
        "with evidence.",
        "metric.abstention.accuracy": "Rightly declined",
        "metric.abstention.accuracy.help": "Share of unanswerable questions where the assistant says the documents do "
        "not say.",
        "metric.abstention.false_rate": "Wrongly declined",
        "metric.abstention.false_rate.help": "Share of answerable questions where the assistant wrongly says the "
        "documents do not say (lower is better).",
        "metric.latency.p50_ms": "Answer time (median)",
        "metric.latency.p50_ms.help": "Half of the answers came faster than this.",
        "metric.latency.p95_ms": "Answer time (p95)",
        "metric.latency.p95_ms.help": "95 % of the answers came faster than this.",
        "metric.citation.invalid": "Invalid citations",
        "metric.citation.invalid.help": "Citations of passages that were not retrieved (should be 0).",
        "metric.retrieval.doc_recall@5": "Right document in the top 5",
        "metric.retrieval.doc_recall@5.help": "Share of questions with a source among the first five passages.",
        "metric.retrieval.evidence_recall@1": "Evidence first",
        "metric.retrieval.evidence_recall@1.help": "Share of answerable questions with the evidence in the first "
        "passage.",
        "metric.retrieval.evidence_recall@3": "Evidence in the top 3",
        "metric.retrieval.evidence_recall@3.help": "Share of answerable questions with the evidence in the first "
        "three passages.",
        "metric.retrieval.evidence_recall@10": "Evidence in the top 10",
        "metric.retrieval.evidence_recall@10.help": "Share of answerable questions with the evidence in the first ten "
        "passages.",
        "metric.n_questions": "Questions",
        "metric.n_questions.help": "Questions in the set.",
        "eval.compare.col.metric": "Metric",
        "eval.compare.col.delta": "Difference (B − A)",
        "eval.compare.col.verdict": "Verdict",
        "eval.verdict.better": "better",
        "eval.verdict.worse": "worse",
        "eval.verdict.same": "same",
        "eval.compare.failing": "Now failing (passed in A, failed in B)",
        "eval.compare.passing": "Now passing (failed in A, passed in B)",
        "eval.compare.none": "None.",
        "eval.compare.noise": "Answer times within 25 % count as the same: repeated runs of the same answers differ "
        "that much too.",
        "eval.compare.questions_differ": "Questions only in A: {a}; only in B: {b}.",
        "about.caption": "Which models and settings this installation uses.",
        "about.admins_only": "This page is for administrators.",
        "about.embedding": "Embedding model",
        "about.store": "Storage",
        "about.retrieval": "Retrieval",
        "about.llm": "Language model (LLM)",
        "about.llm.none": "none (extractive)",
        "about.corpus": "Corpus",
        "about.corpus.value": "{docs} documents · {chunks} passages",
        "about.settings": "All settings",
        "about.col.name": "Name",
        "about.col.value": "Value",
        "about.col.description": "Description",
        "about.privacy": "Everything runs locally: questions, documents and feedback never leave this computer.",
        # briefing
        "nav.briefing": "Briefing",
        "briefing.title": "Briefing for a delegation or visit",
        "briefing.caption": "What does the organisation already know about a destination, network or organisation? "
        "Every sentence is quoted from the documents and points at its source with [1], [2] ….",
        "briefing.topic": "Topic or destination",
        "briefing.placeholder": "e.g. Delegation to Brussels",
        "briefing.go": "Make briefing",
        "briefing.examples": "Examples",
        "briefing.working": "Composing the briefing…",
        "briefing.done": "Briefing ready ({seconds:.1f} s)",
        "briefing.not_found": "The documents say nothing about this topic.",
        "briefing.empty": "Enter a topic or destination first, for example a city, network or organisation.",
        "briefing.sources": "Sources",
        "briefing.download.md": "Markdown (.md)",
        "briefing.download.docx": "Word (.docx)",
    },
}


# Sign-in and access (assistant/ui/auth.py); kept together so the texts of that feature sit in one place.
TEXTS["nl"].update(
    {
        "auth.title": "Aanmelden",
        "auth.caption": "Meld u aan om de Beleidsassistent te gebruiken.",
        "auth.user": "Gebruikersnaam",
        "auth.password": "Wachtwoord",
        "auth.go": "Aanmelden",
        "auth.wrong": "Onbekende gebruikersnaam of verkeerd wachtwoord.",
        "auth.wait": "Te veel mislukte pogingen. Probeer het over {seconds} seconden opnieuw.",
        "auth.revoked": "Uw account is verwijderd of gewijzigd. Meld u opnieuw aan.",
        "auth.oidc": "Aanmelden met uw organisatie-account",
        "auth.oidc.missing": "Aanmelden via OIDC is ingesteld, maar het pakket Authlib ontbreekt: "
        "pip install 'Authlib>=1.3.2' (of streamlit[auth]).",
        "auth.signed_in": "Aangemeld als **{name}** · groepen: {groups} · rol: {role}",
        "auth.groups.none": "geen (alleen openbare documenten)",
        "auth.logout": "Afmelden",
        "auth.local_only": "Geen aanmelding ingesteld: de app is alleen op deze computer bereikbaar "
        "(127.0.0.1) en toont alleen openbare documenten. Zie README, 'Gebruikers en groepen'.",
        "auth.remote_refused": "Deze app luistert op '{address}' (niet alleen op deze computer) maar er is geen "
        "aanmelding ingesteld. Start hem met --server.address 127.0.0.1, of stel gebruikers in "
        "(`assistant users add`) of OIDC (.streamlit/secrets.toml).",
        "about.access": "Toegang",
        "role.reader": "lezer",
        "role.editor": "redacteur",
        "role.admin": "beheerder",
        "docs.reader_note": "U kunt de documenten bekijken en doorzoeken. Documenten toevoegen of verwijderen kan "
        "een redacteur of beheerder; vraag de beheerder als u die rol nodig hebt.",
        "docs.denied": "U mag de documenten niet wijzigen: toevoegen en verwijderen kan een redacteur (voor "
        "documenten van de eigen groepen) of een beheerder. Vraag de beheerder om de rol redacteur.",
        "docs.upload.group": "Wie mag de nieuwe documenten zien? (toegangsgroep)",
        "docs.upload.group_name": "Alleen groep '{group}'",
        "docs.upload.public": "Openbaar: iedereen die de assistent gebruikt",
        "docs.upload.bad_group": "Niets toegevoegd: u kunt alleen uploaden voor een van uw eigen groepen of "
        "openbaar. Kies de toegangsgroep opnieuw.",
        "docs.upload.renamed": "Er bestond al een bestand '{name}'. Uw bestand is als nieuwe versie bewaard onder "
        "'{stored}'; het bestaande document is niet gewijzigd. Verwijder het oude document als de nieuwe versie "
        "het vervangt.",
        "docs.upload.failed": "'{name}' kon niet worden bewaard: {error}",
    }
)
TEXTS["en"].update(
    {
        "auth.title": "Sign in",
        "auth.caption": "Sign in to use the policy assistant.",
        "auth.user": "User name",
        "auth.password": "Password",
        "auth.go": "Sign in",
        "auth.wrong": "Unknown user name or wrong password.",
        "auth.wait": "Too many failed attempts. Try again in {seconds} seconds.",
        "auth.revoked": "Your account was removed or changed. Please sign in again.",
        "auth.oidc": "Sign in with your organisation account",
        "auth.oidc.missing": "OIDC sign-in is configured but the Authlib package is missing: "
        "pip install 'Authlib>=1.3.2' (or streamlit[auth]).",
        "auth.signed_in": "Signed in as **{name}** · groups: {groups} · role: {role}",
        "auth.groups.none": "none (public documents only)",
        "auth.logout": "Sign out",
        "auth.local_only": "No sign-in configured: the app is reachable from this computer only (127.0.0.1) "
        "and shows public documents only. See README, 'Users and groups'.",
        "auth.remote_refused": "This app listens on '{address}' (not only this computer) but no sign-in is "
        "configured. Start it with --server.address 127.0.0.1, or configure users (`assistant users add`) "
        "or OIDC (.streamlit/secrets.toml).",
        "about.access": "Access",
        "role.reader": "reader",
        "role.editor": "editor",
        "role.admin": "administrator",
        "docs.reader_note": "You can view and search the documents. An editor or administrator can add or delete "
        "documents; ask the administrator if you need that role.",
        "docs.denied": "You may not change the documents: an editor (for documents of their own groups) or an "
        "administrator can add and delete them. Ask the administrator for the editor role.",
        "docs.upload.group": "Who may see the new documents? (access group)",
        "docs.upload.group_name": "Only group '{group}'",
        "docs.upload.public": "Public: everyone who uses the assistant",
        "docs.upload.bad_group": "Nothing added: you can only upload for one of your own groups or publicly. "
        "Choose the access group again.",
        "docs.upload.renamed": "A file '{name}' existed already. Your file was kept as a new version named "
        "'{stored}'; the existing document was not changed. Delete the old document if the new version replaces it.",
        "docs.upload.failed": "'{name}' could not be saved: {error}",
    }
)


def translate(key: str, lang: Lang, **values: Any) -> str:
    """The text for `key` in `lang`, formatted with `values`; falls back to Dutch, then to the key itself."""
    text = TEXTS[lang].get(key) or TEXTS["nl"].get(key) or key
    return text.format(**values) if values else text


def current_lang() -> Lang:
    import streamlit as st

    return "en" if st.session_state.get(SESSION_KEY) else "nl"


def t(key: str, **values: Any) -> str:
    """Translate `key` into the language this session chose."""
    return translate(key, current_lang(), **values)


def doc_type_label(doc_type: str) -> str:
    """A document type in the session's language ("reisverslag", not "trip report", in the Dutch UI)."""
    from ingest.metadata import doc_type_name

    return doc_type_name(doc_type, current_lang())
