"""What the network tells its members by e-mail (`flask notify`), and how often.

- `kinds/`: each kind of notification, what is due and to whom (`KINDS`);
- `sender`: the messages due, written in each user's language, and their record;
- `mailer`: SMTP; `preferences`: each user's settings; `links`: the mails' links
  and one-click unsubscribe tokens; `inbox`: the notifications a user received.
"""
