"""Mechanisms of DESIGN §3, one module each, as functions over arrays.

costs (§3.1), government (§3.2), location (§3.3), parks (§3.4), labour (§3.5),
production (§3.6). They read no global state and draw no random numbers of
their own: the model passes in its arrays, parameters and draws.
"""
