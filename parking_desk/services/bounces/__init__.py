"""Reading the sending mailbox for bounces: ``parse`` tells what a message is, ``reader``
fetches messages over IMAP and settles each one with the store."""
