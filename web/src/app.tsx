// Every route of the SPA. Public pages need no session; the cabinet and the back-office are guarded.
import { BrowserRouter, Navigate, Route, Routes } from 'react-router-dom';
import { DashboardPage } from './features/accounts/dashboard.page';
import { EmailLinkPage } from './features/accounts/email-link.page';
import { PasswordResetPage } from './features/accounts/password-reset.page';
import { RegistrationPage } from './features/accounts/registration.page';
import { RequirementsPage } from './features/accounts/requirements.page';
import { SignInPage } from './features/accounts/sign-in.page';
import { AnalyticsPage } from './features/analytics/analytics.page';
import { ApiKeysPage } from './features/api-keys/api-keys.page';
import { AuditSearchPage } from './features/backoffice/audit-search.page';
import { BackofficeHome, BackofficeLayout } from './features/backoffice/backoffice.layout';
import { StaffPage } from './features/backoffice/staff.page';
import { BroadcastsPage } from './features/backoffice/broadcasts.page';
import { TariffsPage } from './features/backoffice/tariffs.page';
import { MethodsPage } from './features/backoffice/methods.page';
import { PlatformDashboardPage } from './features/backoffice/platform-dashboard.page';
import { CardAttemptsPage } from './features/backoffice/card-attempts.page';
import { BalancePage } from './features/balance/balance.page';
import { EmployeesPage } from './features/employees/employees.page';
import { DealDisputesPage } from './features/deals/deal-disputes.page';
import { DealsPage } from './features/deals/deals.page';
import { DocumentDispatchPage } from './features/documents/document-dispatch.page';
import { PayoutsQueuePage } from './features/backoffice/payouts-queue.page';
import { DocumentsPage } from './features/documents/documents.page';
import { InvoicesPage } from './features/invoices/invoices.page';
import { MessagePage } from './features/messages/message.page';
import { MessagesPage } from './features/messages/messages.page';
import { OperationPage } from './features/operations/operation.page';
import { OperationsPage } from './features/operations/operations.page';
import { SettingsPage } from './features/settings/settings.page';
import { CabinetLayout } from './features/shell/cabinet.layout';
import { RequireCabinet, RequireOperator, RequirePermission } from './features/shell/guards';
import { NotFoundPage } from './features/shell/not-found.page';
import { PublicLayout } from './features/shell/public.layout';
import { homePathFor, SessionProvider, useSession } from './features/shell/session';
import { NewShopPage } from './features/shops/new-shop.page';
import { FeedbackPage } from './features/support/feedback.page';
import { TicketPage } from './features/support/ticket.page';
import { TicketsPage } from './features/support/tickets.page';
import { KycPage } from './features/kyc/kyc.page';
import { KycQueuePage } from './features/kyc/kyc-queue.page';
import { CannedAnswersPage } from './features/support-desk/canned-answers.page';
import { DeskTicketPage } from './features/support-desk/desk-ticket.page';
import { FeedbackTriagePage } from './features/support-desk/feedback-triage.page';
import { TicketQueuePage } from './features/support-desk/ticket-queue.page';
import { ShopPage } from './features/shops/shop.page';
import { ShopsPage } from './features/shops/shops.page';
import { LanguageProvider } from './lib/i18n';

function StartRedirect() {
  const { state } = useSession();
  if (state.status === 'loading') return null;
  return <Navigate to={state.status === 'signed_in' ? homePathFor(state.me) : '/login'} replace />;
}

export function App() {
  return (
    <LanguageProvider>
      <SessionProvider>
        <BrowserRouter>
          <Routes>
            <Route path="/" element={<StartRedirect />} />
            <Route element={<PublicLayout />}>
              <Route path="/reg" element={<RegistrationPage />} />
              <Route path="/requirements" element={<RequirementsPage />} />
              <Route path="/login" element={<SignInPage />} />
              <Route path="/password-reset" element={<PasswordResetPage />} />
              <Route path="/links/:token" element={<EmailLinkPage />} />
            </Route>
            <Route
              path="/cabinet"
              element={
                <RequireCabinet>
                  <CabinetLayout />
                </RequireCabinet>
              }
            >
              <Route index element={<DashboardPage />} />
              <Route
                path="operations"
                element={
                  <RequirePermission permission="operations.read">
                    <OperationsPage />
                  </RequirePermission>
                }
              />
              <Route
                path="operations/:id"
                element={
                  <RequirePermission permission="operations.read">
                    <OperationPage />
                  </RequirePermission>
                }
              />
              <Route
                path="invoices"
                element={
                  <RequirePermission permission="operations.read">
                    <InvoicesPage />
                  </RequirePermission>
                }
              />
              <Route
                path="deals"
                element={
                  <RequirePermission permission="operations.read">
                    <DealsPage />
                  </RequirePermission>
                }
              />
              <Route
                path="deals/:id"
                element={
                  <RequirePermission permission="operations.read">
                    <DealsPage />
                  </RequirePermission>
                }
              />
              <Route
                path="analytics"
                element={
                  <RequirePermission permission="operations.read">
                    <AnalyticsPage />
                  </RequirePermission>
                }
              />
              <Route
                path="balance"
                element={
                  <RequirePermission permission="balance.read">
                    <BalancePage />
                  </RequirePermission>
                }
              />
              <Route
                path="documents"
                element={
                  <RequirePermission permission="balance.read">
                    <DocumentsPage />
                  </RequirePermission>
                }
              />
              <Route
                path="shops"
                element={
                  <RequirePermission permission="shops.read">
                    <ShopsPage />
                  </RequirePermission>
                }
              />
              <Route path="shops/new" element={<NewShopPage />} />
              <Route
                path="shops/:id"
                element={
                  <RequirePermission permission="shops.read">
                    <ShopPage />
                  </RequirePermission>
                }
              />
              <Route
                path="api"
                element={
                  <RequirePermission permission="api_keys.manage">
                    <ApiKeysPage />
                  </RequirePermission>
                }
              />
              <Route path="messages" element={<MessagesPage />} />
              <Route path="messages/:id" element={<MessagePage />} />
              <Route path="support" element={<TicketsPage />} />
              <Route path="support/tickets/:id" element={<TicketPage />} />
              <Route path="support/feedback" element={<FeedbackPage />} />
              <Route path="kyc" element={<KycPage />} />
              <Route path="settings" element={<SettingsPage />} />
              <Route
                path="employees"
                element={
                  <RequirePermission permission="employees.manage">
                    <EmployeesPage />
                  </RequirePermission>
                }
              />
              <Route path="*" element={<NotFoundPage embedded />} />
            </Route>
            <Route
              path="/backoffice"
              element={
                <RequireOperator>
                  <BackofficeLayout />
                </RequireOperator>
              }
            >
              <Route index element={<BackofficeHome />} />
              <Route path="card-attempts" element={<CardAttemptsPage />} />
              <Route path="dashboard" element={<PlatformDashboardPage />} />
              <Route path="audit" element={<AuditSearchPage />} />
              <Route path="broadcasts" element={<BroadcastsPage />} />
              <Route path="tariffs" element={<TariffsPage />} />
              <Route path="methods" element={<MethodsPage />} />
              <Route path="staff" element={<StaffPage />} />
              <Route path="documents" element={<DocumentDispatchPage />} />
              <Route path="payouts" element={<PayoutsQueuePage />} />
              <Route path="support" element={<TicketQueuePage />} />
              <Route path="support/:id" element={<DeskTicketPage />} />
              <Route path="feedback" element={<FeedbackTriagePage />} />
              <Route path="canned-answers" element={<CannedAnswersPage />} />
              <Route path="kyc" element={<KycQueuePage />} />
              <Route path="deals" element={<DealDisputesPage />} />
            </Route>
            <Route path="*" element={<NotFoundPage />} />
          </Routes>
        </BrowserRouter>
      </SessionProvider>
    </LanguageProvider>
  );
}
