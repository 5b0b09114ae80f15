"""Personas: typical care pathways found by sequence analysis (issue 19, ``docs/personas.md``)."""
