"""Tip rewards (举报奖励): proposals on cases begun by a complaint and closed with a fine,
approval by someone other than the proposer and the case's handlers, payment after closing."""
