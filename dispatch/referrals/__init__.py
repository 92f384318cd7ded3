"""Coordination with other departments (部门协调): referrals out to a department or another
jurisdiction with deadlines for receipt and feedback, reminders, police transfers of
malicious wage refusal with their facts, and referrals in, which become complaints."""
