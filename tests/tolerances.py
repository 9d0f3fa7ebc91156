"""Named tolerances shared by the test-suite (see ../shared/STYLE.md, 'Tests')."""

#: float64 regression of the same computation, relative
REGRESSION_RTOL = 1e-12
#: numpy/CasADi vs onnxruntime vs Pyomo value(), relative
CROSS_IMPLEMENTATION_RTOL = 1e-12
#: analytic derivative vs central finite difference, relative
FINITE_DIFFERENCE_RTOL = 1e-7
#: Pyomo symbolic derivative vs CasADi derivative, relative
SYMBOLIC_DERIVATIVE_RTOL = 1e-10
#: exact thermodynamic identities evaluated numerically (cp = dh/dT, Gibbs-Duhem ...)
IDENTITY_RTOL = 1e-10
#: KKT multipliers and primal values of a solved NLP
NLP_SOLUTION_ATOL = 1e-6
