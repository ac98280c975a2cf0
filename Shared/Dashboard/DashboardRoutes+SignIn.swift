import Auth
import Foundation
import HTTPTypes
import Hummingbird

/// Sign-in and sign-out pages (open routes: they are how a caller gets an identity).
extension DashboardRoutes {
    func registerSignIn(on routes: GuardedRouter<Context>, signIn: DashboardSignIn) {
        routes.get("/dashboard/sign-in", access: .open) { request, context in
            let (token, cookie) = csrfToken(request)
            return render(
                "Sign in", current: "", template: "signin", SignInPage(csrfToken: token, problem: nil), context, cookie)
        }
        routes.post("/dashboard/sign-in", access: .open) { request, context in
            await submitSignIn(request, context, signIn: signIn)
        }
        routes.get("/dashboard/sign-out", access: .open) { request, context in
            let (token, cookie) = csrfToken(request)
            return render(
                "Sign out", current: "", template: "signout", SignInPage(csrfToken: token, problem: nil), context,
                cookie)
        }
        routes.post("/dashboard/sign-out", access: .open) { request, context in
            if case .failure(let refusal) = await verifiedForm(request, context) { return refusal.response }
            if let id = request.cookies[DashboardSignIn.cookieName]?.value { try? await signIn.sessions.end(id: id) }
            var response = Self.redirect("/dashboard/sign-in")
            response.setCookie(sessionCookie(value: "", maxAge: 0))
            return response
        }
    }

    private func submitSignIn(_ request: Request, _ context: Context, signIn: DashboardSignIn) async -> Response {
        let form: FormData
        switch await verifiedForm(request, context) {
        case .success(let f): form = f
        case .failure(let refusal): return refusal.response
        }
        let token = form[CSRFProtection.fieldName] ?? ""
        func refuse(_ status: HTTPResponse.Status, _ problem: String) -> Response {
            render(
                "Sign in", current: "", template: "signin", SignInPage(csrfToken: token, problem: problem), context,
                nil, status: status)
        }
        let key = (form["api_key"] ?? "").trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty, key.utf8.count <= 512 else { return refuse(.unprocessableContent, "api_key is required") }
        guard let principal = await signIn.authenticator.authenticate(apiKey: key) else {
            return refuse(.unauthorized, "This key is unknown, revoked or expired.")
        }
        let session: DashboardSession
        do {
            session = try await signIn.sessions.create(
                for: Principal(name: principal.name, role: principal.role, method: .session), lifetime: signIn.lifetime)
        } catch {
            return refuse(.serviceUnavailable, "Sessions cannot be stored right now (Redis); try again shortly.")
        }
        var response = Self.redirect(principal.role.includes(.analyst) ? "/dashboard" : "/dashboard/predict")
        response.setCookie(sessionCookie(value: session.id, maxAge: Int(signIn.lifetime.components.seconds)))
        return response
    }

    private func sessionCookie(value: String, maxAge: Int) -> Cookie {
        Cookie(
            name: DashboardSignIn.cookieName, value: value, maxAge: maxAge, path: "/dashboard",
            secure: configuration.secureCookies, httpOnly: true, sameSite: .strict)
    }
}

/// The sign-in form.
struct SignInPage {
    var csrfToken: String
    var problem: String?
}
