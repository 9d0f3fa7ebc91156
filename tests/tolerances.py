"""Named tolerances shared by the test-suite (see ../shared/STYLE.md, 'Tests')."""

#: float64 regression of the same computation, relative
REGRESSION_RTOL = 1e-12
#: numpy/CasADi vs onnxruntime vs Pyomo value(), relative
CROSS_IMPLEMENTATION_RTOL = 1e-12
#: an exact algebraic rewrite of a graph vs the graph as built, relative: a few ulps (an
#: ill-scaled solve for a rewrite's coefficients gave 1e-13, enough to change a column's
#: convergence)
EXACT_REWRITE_RTOL = 2e-14
#: analytic derivative vs central finite difference, relative
FINITE_DIFFERENCE_RTOL = 1e-7
#: Pyomo symbolic derivative vs CasADi derivative, relative
SYMBOLIC_DERIVATIVE_RTOL = 1e-10
#: exact thermodynamic identities evaluated numerically (cp = dh/dT, Gibbs-Duhem ...)
IDENTITY_RTOL = 1e-10
#: KKT multipliers and primal values of a solved NLP
NLP_SOLUTION_ATOL = 1e-6
#: a number printed with 4 decimals in a report vs its independent recomputation
REPORT_4_DECIMALS_ATOL = 5e-5 + 1e-9
#: propkg's Psat backbone (Ambrose-Walton with the smooth cap of the supercritical
#: continuation, HybridPureModel.ln_psat: up to 2.5e-5 off below 0.995 Tc) vs
#: chemicals.vapor_pressure.Ambrose_Walton, relative, point by point
AMBROSE_WALTON_RTOL = 3e-5
#: target of issue 10 for the hybrid transport models: AAD vs CoolProp on held-out points [%]
TRANSPORT_HELDOUT_AAD_PERCENT = 2.0

#: |p_bubble / P - 1| of a converged tray liquid against the independent flash (IPOPT's
#: tolerance on the smoothed VLE; measured 1.8e-6 on the ternary column)
TRAY_BUBBLE_RTOL = 1e-4
