"""Stage 4: OWL reasoning (owlready2 + HermiT): consistency, and inferences worth publishing."""
