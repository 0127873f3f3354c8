import NewsInbox
print(NewsInboxVersion.string)
