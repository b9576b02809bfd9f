"""Chapter-specific experiment drivers (tables, races, widget surfaces), one module per chapter.

Concept code — what a chapter teaches and checks against torch — lives in the topic modules
(``mlnote_utils.hessian``, ``mlnote_utils.optimizers``…). What is here runs a chapter's particular
experiment: import it as ``from mlnote_utils.experiments import ch02 as xp``.
"""
