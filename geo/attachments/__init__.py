"""Attachments: documents and photos kept beside a record (a referral's papers, a site check's
photo, an audit report), stored outside the web root and served only through the API."""
