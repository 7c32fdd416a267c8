"""Erasure propagation (issue #13): the services holding copies erase them too, and say so.

When a deletion or an account cancellation is carried out, every active
service client holding the ``erasure`` scope gets an ``ErasureInstruction``
and an ``erasure.requested`` webhook, written in the completion's own
transaction. The service acknowledges through the API with a signed body.
The request is completed locally at once, and fully done
(``PrivacyRequest.propagation``) when every service confirmed or a privacy
officer closed the rest with a reason. Overdue is derived: pending and past
its due time.
"""
