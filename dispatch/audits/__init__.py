"""Entrusted audits (委托审计): an audit firm engaged to examine an employer's wages and social
insurance for a period; its report and findings, which open a case when they show violations."""
