"""Charts as SVG (matplotlib, Agg backend): titles, units, legends and sources on every figure."""
