from django.apps import AppConfig


class WalletConfig(AppConfig):
    name = "wallet"
    verbose_name = "Wallet: cash, cards, vouchers, arrears and the ledger"

    def ready(self) -> None:
        from common.outbox import mail_delivered
        from wallet.services.arrears import reminders_mark_sent_on_delivery

        mail_delivered.connect(reminders_mark_sent_on_delivery, dispatch_uid="wallet-reminders")
